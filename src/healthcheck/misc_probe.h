// MISC_CHECK: `/bin/sh -c misc_path`, judged by its exit status within misc_timeout (misc_verdict:
// 0 up; with misc_dynamic 2..255 up with a weight); on timeout its process group is killed and the
// check fails.
#pragma once

#include "healthcheck/probe.h"

namespace dplb::hc {

std::unique_ptr<Probe> start_misc_probe(const ProbeEnv& env, const keepalived::Checker& checker, ProbeDone done);

}  // namespace dplb::hc
