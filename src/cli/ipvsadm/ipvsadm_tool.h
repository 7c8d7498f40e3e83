// The ipvsadm tool itself: one invocation, from its arguments to its output and exit status, talking
// to the daemon over the control socket. Kept apart from main() so tests run it in-process.
//
// Exit status, as ipvsadm 1.31's: 0 done; 2 a usage error (ipvsadm's fail(2)) or no daemon (its
// "Can't initialize ipvs"); 255 a bad option, no command, or a change the daemon refused (ipvsadm
// returns -1); 1 a listing that failed (ipvsadm's exit(1)), a transport failure, or an ipvsadm
// feature dplb does not support.
#pragma once

#include <iosfwd>
#include <span>
#include <string>
#include <string_view>

namespace dplb::cli {

// program: argv[0] (for the help texts); args: the rest. -R reads its rules from `in`.
int run_ipvsadm(std::string_view program, std::span<const std::string> args, const std::string& ipc_path,
                std::istream& in, std::ostream& out, std::ostream& err);

std::string ipvsadm_usage(std::string_view program);  // -h
std::string ipvsadm_version();                        // -v

}  // namespace dplb::cli
