// One health check in flight (TCP_CHECK, HTTP_GET, SSL_GET, MISC_CHECK): started on the event loop,
// it ends by calling its ProbeDone once, after releasing its socket, timer or child. Destroying a
// probe before that cancels it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "dplb/keepalived/keepalived_conf.h"
#include "healthcheck/event_loop.h"

namespace dplb::hc {

class ChildReaper;
class TlsContext;

struct ProbeResult {
  bool ok = false;
  std::string why;                 // what failed (empty when ok)
  std::optional<uint16_t> weight;  // MISC_CHECK with misc_dynamic: the weight its exit status set
};
using ProbeDone = std::function<void(ProbeResult)>;

class Probe {
 public:
  virtual ~Probe() = default;
};

struct ProbeEnv {
  EventLoop& loop;
  ChildReaper& reaper;
  TlsContext* tls;  // null: built without OpenSSL, SSL_GET fails
};

std::unique_ptr<Probe> start_probe(const ProbeEnv& env, const keepalived::Checker& checker, ProbeDone done);

}  // namespace dplb::hc
