// MISC_CHECK: `/bin/sh -c misc_path`, up when it exits 0 within misc_timeout; on timeout its process
// group is killed and the check fails. (misc_dynamic's exit codes 2..255 as weights: not supported,
// any non-zero exit is a failure.)
#pragma once

#include "healthcheck/probe.h"

namespace dplb::hc {

std::unique_ptr<Probe> start_misc_probe(const ProbeEnv& env, const keepalived::Checker& checker, ProbeDone done);

}  // namespace dplb::hc
