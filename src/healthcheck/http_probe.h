// HTTP_GET and SSL_GET: each url in turn, on its own connection (plain, or TLS for SSL_GET), within
// connect_timeout per url; up when every url answers a status in its status_code ranges and, when a
// digest is configured, a body whose MD5 matches.
#pragma once

#include "healthcheck/probe.h"

namespace dplb::hc {

std::unique_ptr<Probe> start_http_probe(const ProbeEnv& env, const keepalived::Checker& checker, ProbeDone done);

}  // namespace dplb::hc
