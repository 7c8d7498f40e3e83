#include "healthcheck/probe.h"

#include <unistd.h>

#include "healthcheck/http_probe.h"
#include "healthcheck/misc_probe.h"
#include "healthcheck/tcp_connect.h"

namespace dplb::hc {
namespace {

// TCP_CHECK: up when the connection is accepted within connect_timeout.
class TcpProbe : public Probe {
 public:
  TcpProbe(const ProbeEnv& env, const keepalived::Checker& c, ProbeDone done)
      : connect_(env.loop, c, [done = std::move(done)](int fd, std::string why) {
          if (fd >= 0) ::close(fd);
          done({fd >= 0, std::move(why)});
        }) {}

 private:
  TcpConnect connect_;
};

}  // namespace

std::unique_ptr<Probe> start_probe(const ProbeEnv& env, const keepalived::Checker& c, ProbeDone done) {
  switch (c.kind) {
    case keepalived::CheckerKind::tcp: return std::make_unique<TcpProbe>(env, c, std::move(done));
    case keepalived::CheckerKind::http:
    case keepalived::CheckerKind::ssl: return start_http_probe(env, c, std::move(done));
    case keepalived::CheckerKind::misc: return start_misc_probe(env, c, std::move(done));
  }
  return nullptr;
}

}  // namespace dplb::hc
