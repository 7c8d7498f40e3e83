#include "healthcheck/misc_probe.h"

#include <sys/wait.h>

#include <cerrno>

#include "dplb/healthcheck/checker_state.h"
#include "healthcheck/child_reaper.h"
#include "healthcheck/tcp_connect.h"

namespace dplb::hc {
namespace {

class MiscProbe : public Probe {
 public:
  MiscProbe(const ProbeEnv& env, const keepalived::Checker& c, ProbeDone done)
      : loop_(env.loop), reaper_(env.reaper), dynamic_(c.misc_dynamic), done_(std::move(done)) {
    pid_ = reaper_.spawn(c.misc_path, [this](int status) { exited(status); });
    if (pid_ < 0) {
      const int e = errno;
      timer_ = loop_.after(Clock::duration::zero(), [this, e] { finish({false, "fork: " + errno_text(e)}); });
      return;
    }
    timer_ = loop_.after(c.misc_timeout, [this] {
      reaper_.kill(pid_);
      pid_ = -1;
      finish({false, "misc_path timed out (killed)"});
    });
  }
  ~MiscProbe() override {
    loop_.cancel(timer_);
    if (pid_ > 0) reaper_.kill(pid_);
  }

 private:
  void exited(int status) {
    pid_ = -1;
    if (!WIFEXITED(status)) return finish({false, "misc_path killed by signal " + std::to_string(WTERMSIG(status)), {}});
    const healthcheck::MiscVerdict v = healthcheck::misc_verdict(WEXITSTATUS(status), dynamic_);
    finish({v.up, v.up ? std::string() : "misc_path exited with " + std::to_string(WEXITSTATUS(status)), v.weight});
  }
  void finish(ProbeResult r) {
    loop_.cancel(timer_);
    timer_ = 0;
    ProbeDone done = std::move(done_);
    if (done) done(std::move(r));
  }

  EventLoop& loop_;
  ChildReaper& reaper_;
  bool dynamic_;
  ProbeDone done_;
  pid_t pid_ = -1;
  EventLoop::TimerId timer_ = 0;
};

}  // namespace

std::unique_ptr<Probe> start_misc_probe(const ProbeEnv& env, const keepalived::Checker& c, ProbeDone done) {
  return std::make_unique<MiscProbe>(env, c, std::move(done));
}

}  // namespace dplb::hc
