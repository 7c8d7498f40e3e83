// Command line → Command, with iproute2's grammar and error wording. Pure: no I/O, no global state
// (the fuzzer calls it directly). Errors are EINVAL with the exact line to print on stderr; the
// runner exits 255 for them, as ip does.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/dpip/command.h"
#include "dplb/base/status.h"

namespace dplb::dpip {

// A whole command line without the program name: global options, then OBJECT COMMAND ARGS.
Result<Command> parse(std::span<const std::string> args);

// OBJECT COMMAND ARGS under already parsed global options (a -batch line).
Result<Command> parse_object(std::span<const std::string> args, const GlobalOptions& options);

// Splits a batch line into words as ip's makeargs: blanks separate words, "..." and '...' quote,
// a word starting with '#' starts a comment.
std::vector<std::string> split_batch_line(std::string_view line);

}  // namespace dplb::dpip
