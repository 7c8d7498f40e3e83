// The config's startup files, applied by the daemon before its ports start: dpip batch files and
// an ipvsadm rules file. They run through the tools' own code against the daemon's socket, exactly
// as if an operator typed them, so a file that works by hand works at startup and vice versa.
#pragma once

#include "dplb/base/status.h"
#include "dplb/conf/config.h"

namespace dplb {

// Blocking: runs on a helper thread while the main loop serves the socket.
Status apply_startup_files(const conf::Config& cfg);

}  // namespace dplb
