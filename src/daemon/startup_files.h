// The config's startup files, applied by the daemon before its ports start: dpip batch files and
// an ipvsadm rules file. The tools' own libraries parse them into requests, applied in-process by
// `dispatch` (the control plane's, on the main thread), so a file that works by hand works at
// startup and vice versa, and fails with the same words: the file, the line, the daemon's message.
#pragma once

#include "dplb/base/status.h"
#include "dplb/conf/config.h"
#include "dplb/ctrl/registry.h"

namespace dplb {

// Stops at the first failure (as `dpip -batch` and `ipvsadm -R` do).
Status apply_startup_files(const conf::Config& cfg, const ctrl::OpHandler& dispatch);

}  // namespace dplb
