#include "healthcheck/checker_daemon.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <poll.h>

#include <algorithm>
#include <cerrno>

#include "healthcheck/log.h"
#include "healthcheck/route_check.h"
#include "healthcheck/tcp_connect.h"

namespace dplb::hc {
namespace {

using healthcheck::Transition;
using keepalived::KeepalivedConf;

constexpr auto kResync = std::chrono::seconds(1);

std::string server_name(const keepalived::VirtualServer& vs, const keepalived::RealServer& rs) {
  return fmt::format("real server {} of {}", keepalived::to_string(rs.addr), healthcheck::quorum_identity(vs));
}

}  // namespace

CheckerDaemon::CheckerDaemon(Options opts, KeepalivedConf conf, std::unique_ptr<TlsContext> tls)
    : opts_(std::move(opts)), conf_(std::move(conf)), tls_(std::move(tls)), link_(opts_.ipc_path) {}

CheckerDaemon::~CheckerDaemon() {
  stop_checks();
  if (signal_fd_ >= 0) ::close(signal_fd_);
}

void CheckerDaemon::start(const std::map<std::string, Kept>& kept, const std::map<std::string, bool>& kept_quorum) {
  for (const std::string& line : healthcheck::unsupported_report(conf_)) log_warn("{}", line);
  quorum_up_.assign(conf_.virtual_servers.size(), true);
  for (size_t v = 0; v < conf_.virtual_servers.size(); ++v) {
    const keepalived::VirtualServer& vs = conf_.virtual_servers[v];
    if (!healthcheck::unsupported_reason(vs).empty()) continue;
    if (auto q = kept_quorum.find(healthcheck::quorum_identity(vs)); q != kept_quorum.end()) quorum_up_[v] = q->second;
    for (size_t r = 0; r < vs.real_servers.size(); ++r) {
      const keepalived::RealServer& rs = vs.real_servers[r];
      if (!healthcheck::unsupported_reason(vs, rs).empty()) continue;
      std::string id = healthcheck::health_identity(vs, rs);
      auto old = kept.find(id);
      auto s = std::make_unique<ServerRun>(ServerRun{
          v, r, id,
          old != kept.end() ? healthcheck::RealServerHealth(rs, old->second.health) : healthcheck::RealServerHealth(rs),
          {}, old != kept.end() ? old->second.dynamic_weight : std::nullopt});
      s->checkers.resize(rs.checkers.size());
      for (size_t c = 0; c < rs.checkers.size(); ++c) {
        // keepalived spreads the first checks over `warmup` (default delay_loop) so they do not all
        // fire at once; bounded by delay_loop.
        const auto spread = std::min(rs.checkers[c].warmup, rs.checkers[c].delay_loop).count();
        schedule(*s, c, Micros(spread > 0 ? std::uniform_int_distribution<int64_t>(0, spread)(rng_) : 0));
      }
      servers_.push_back(std::move(s));
    }
  }
  for (size_t v = 0; v < conf_.virtual_servers.size(); ++v) update_quorum(v);
}

void CheckerDaemon::stop_checks() {
  for (auto& s : servers_)
    for (CheckerRun& c : s->checkers) {
      loop_.cancel(c.timer);
      c.probe.reset();
    }
  servers_.clear();
}

void CheckerDaemon::schedule(ServerRun& s, size_t checker, Micros delay) {
  ServerRun* sp = &s;
  s.checkers[checker].timer = loop_.after(delay, [this, sp, checker] {
    sp->checkers[checker].timer = 0;
    check_now(*sp, checker);
  });
}

void CheckerDaemon::check_now(ServerRun& s, size_t checker) {
  const keepalived::Checker& c = conf_.virtual_servers[s.vs].real_servers[s.rs].checkers[checker];
  ServerRun* sp = &s;
  s.checkers[checker].probe = start_probe(ProbeEnv{loop_, reaper_, tls_.get()}, c, [this, sp, checker](ProbeResult r) {
    // The probe is finished but its code is still on the stack: freed after this iteration.
    loop_.retire(std::shared_ptr<Probe>(std::move(sp->checkers[checker].probe)));
    on_result(*sp, checker, r);
  });
}

void CheckerDaemon::on_result(ServerRun& s, size_t checker, const ProbeResult& r) {
  const keepalived::VirtualServer& vs = conf_.virtual_servers[s.vs];
  const keepalived::RealServer& rs = vs.real_servers[s.rs];
  const keepalived::Checker& c = rs.checkers[checker];
  const bool was_up = s.health.checker(checker).up();
  auto step = s.health.on_result(checker, r.ok, c);
  if (!r.ok && was_up && s.health.checker(checker).up())
    log_info("{}: {} failed ({}), retry {} of {}", server_name(vs, rs), keepalived::to_string(c.kind), r.why,
             s.health.checker(checker).failures(), c.retry);
  schedule(s, checker, step.next);
  if (c.kind == keepalived::CheckerKind::misc && c.misc_dynamic && r.ok && r.weight != s.dynamic_weight) {
    s.dynamic_weight = r.weight;
    log_info("{}: MISC_CHECK sets weight {}", server_name(vs, rs), weight_of(s));
    if (step.transition == Transition::none) {
      update_quorum(s.vs);
      sync();
    }
  }
  if (step.transition == Transition::none) return;
  const bool up = step.transition == Transition::up;
  const auto want = healthcheck::dest_wanted(rs, up, weight_of(s));
  log_info("{} {}{}: {}", server_name(vs, rs), up ? "UP" : "DOWN",
           up ? "" : fmt::format(" ({})", r.why),
           want.present ? fmt::format("weight {}", want.weight) : std::string("removed"));
  run_script(up ? rs.notify_up : rs.notify_down, server_name(vs, rs));
  update_quorum(s.vs);
  sync();
}

uint16_t CheckerDaemon::weight_of(const ServerRun& s) const {
  return s.dynamic_weight.value_or(healthcheck::dest_weight(conf_.virtual_servers[s.vs].real_servers[s.rs]));
}

void CheckerDaemon::update_quorum(size_t v) {
  const keepalived::VirtualServer& vs = conf_.virtual_servers[v];
  if (!healthcheck::unsupported_reason(vs).empty()) return;
  uint64_t alive_weight = 0;
  for (const auto& s : servers_)
    if (s->vs == v && s->health.alive()) alive_weight += weight_of(*s);
  const bool up = healthcheck::quorum_after(quorum_up_[v], alive_weight, vs.quorum, vs.hysteresis);
  if (up == quorum_up_[v]) return;
  quorum_up_[v] = up;
  log_info("{}: quorum {} (alive weight {}, quorum {}, hysteresis {}){}", healthcheck::quorum_identity(vs),
           up ? "regained" : "lost", alive_weight, vs.quorum, vs.hysteresis,
           vs.sorry_server && !up ? fmt::format(": sorry_server {} added", keepalived::to_string(*vs.sorry_server))
                                  : std::string());
  run_script(up ? vs.quorum_up : vs.quorum_down, healthcheck::quorum_identity(vs));
}

void CheckerDaemon::run_script(const keepalived::Script& script, const std::string& what) {
  if (script.command.empty()) return;
  // Not waited for: a slow script must not delay the checks (it is reaped when it ends).
  if (reaper_.spawn(script.command, nullptr) < 0)
    log_error("{}: cannot run {}: {}", what, script.command, errno_text(errno));
}

void CheckerDaemon::sync() {
  auto live = link_.list();
  if (!live) {
    if (reachable_.value_or(true))
      log_warn("dplb not reachable ({}): retrying every second", live.status().message());
    reachable_ = false;
    return;
  }
  const bool reconnected = !reachable_.value_or(false);
  reachable_ = true;
  std::map<std::pair<size_t, size_t>, const ServerRun*> runs;
  for (const auto& s : servers_) runs[{s->vs, s->rs}] = s.get();
  healthcheck::HealthView view{
      [&runs](size_t v, size_t r) {
        auto it = runs.find({v, r});
        return it == runs.end() || it->second->health.alive();
      },
      [this](size_t v) { return bool(quorum_up_[v]); },
      [&runs](size_t v, size_t r) {
        auto it = runs.find({v, r});
        return it == runs.end() ? std::nullopt : it->second->dynamic_weight;
      }};
  const healthcheck::Target wanted = healthcheck::build_target(conf_, view);
  // Only what this process owns is compared: services someone else configured stay untouched.
  healthcheck::Target mine;
  for (auto& [id, svc] : *live)
    if (wanted.contains(id) || owned_.contains(id)) mine[id] = svc;
  const auto ops = healthcheck::diff_targets(mine, wanted);
  if (reconnected) log_info("connected to dplb at {}: {} change(s) to apply", link_.path(), ops.size());
  bool all = true;
  std::set<std::string> failing;
  for (const healthcheck::IpvsOp& op : ops) {
    const std::string text = healthcheck::to_string(op);
    Status st = link_.apply(op);
    if (st.is_ok()) {
      log_info("ipvsadm {}", text);
      continue;
    }
    all = false;
    // Retried every second: logged when it starts failing, not at every retry.
    if (!failing_.contains(text)) log_error("ipvsadm {}: {} (retrying)", text, st.message());
    failing.insert(text);
  }
  failing_ = std::move(failing);
  if (all) {
    owned_.clear();
    for (const auto& [id, svc] : wanted) owned_.insert(id);
  }
}

void CheckerDaemon::reload() {
  auto conf = keepalived::load_keepalived(opts_.conf_path);
  if (!conf) {
    log_error("reload of {} failed, keeping the running configuration:\n{}", opts_.conf_path,
              conf.status().message());
    return;
  }
  for (const keepalived::Warning& w : conf->warnings) log_warn("{}", w.to_string());
  std::map<std::string, Kept> kept;
  for (const auto& s : servers_) kept.emplace(s->identity, Kept{s->health, s->dynamic_weight});
  std::map<std::string, bool> kept_quorum;
  for (size_t v = 0; v < conf_.virtual_servers.size(); ++v)
    kept_quorum[healthcheck::quorum_identity(conf_.virtual_servers[v])] = quorum_up_[v];
  stop_checks();
  conf_ = std::move(*conf);
  warn_unrouted_checks(conf_);
  start(kept, kept_quorum);
  log_info("reloaded {}: {} real server(s) checked", opts_.conf_path, servers_.size());
  sync();
}

void CheckerDaemon::on_signal() {
  signalfd_siginfo si;
  while (::read(signal_fd_, &si, sizeof si) == ssize_t(sizeof si)) {
    switch (si.ssi_signo) {
      case SIGHUP: reload(); break;
      case SIGCHLD: reaper_.reap(); break;
      default: stopping_ = true; break;
    }
  }
}

int CheckerDaemon::run() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGHUP, SIGTERM, SIGINT, SIGCHLD}) sigaddset(&set, sig);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) != 0 ||
      (signal_fd_ = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) < 0) {
    log_error("signalfd: {}", errno_text(errno));
    return 1;
  }
  ::signal(SIGPIPE, SIG_IGN);
  loop_.watch(signal_fd_, POLLIN, [this](short) { on_signal(); });
  warn_unrouted_checks(conf_);
  if (!tls_) log_warn("SSL_GET unsupported: no TLS context; SSL_GET checks fail");
  start({}, {});
  log_info("checking {} real server(s) of {}; dplb at {}", servers_.size(), opts_.conf_path, opts_.ipc_path);
  sync();
  auto next_sync = Clock::now() + kResync;
  while (!stopping_) {
    loop_.run_once(std::chrono::milliseconds(200));
    if (Clock::now() >= next_sync) {
      sync();
      next_sync = Clock::now() + kResync;
    }
  }
  log_info("stopping (services left in dplb as they are)");
  return 0;
}

}  // namespace dplb::hc
