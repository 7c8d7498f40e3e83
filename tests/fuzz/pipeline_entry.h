// The packet pipeline's fuzz entry: random frames through eth_input of a worker built as the daemon
// builds one, shared by the libFuzzer target and the corpus replay (tests/unit/fuzz/pipeline_replay).
//
// The worker and its topology: tests/datapath/datapath_fixture.h. Every input starts from the
// fixture's reset plus these connections, made by frames through the pipeline:
//     10.0.0.2:40000 -> VIP:80 established (SYN, SYN-ACK from its server, ACK), 10.0.0.2:40001 ->
//     VIP:80 SYN only, 10.0.0.2:5353 -> VIP:53 UDP.
// The clock is fixed (no time passes): every input sees the same state, so a crash reproduces.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dplb::dp::fuzz {

// Input layout: up to kMaxFrames records [flags][length, 2 bytes little endian][frame bytes];
// flags bit 0 = the port the frame arrives on; a short last record takes the bytes left.
inline constexpr size_t kMaxFrames = 8;

// Once per process: EAL, the mbuf pools, the ports and the configured worker (the fixture's start).
// Returns "" or why it failed.
std::string pipeline_init();
// The worker reset to its configured tables and setup connections, the frames of `data` through
// eth_input one by one, each frame's TX checked and flushed, what waits for ARP given back: then
// every mbuf must be back in its pool. Returns "" when all
// holds, else what broke.
std::string check_pipeline(const uint8_t* data, size_t size);
// Stops the ports, frees the pools, EAL cleanup (the fixture's stop).
void pipeline_shutdown();

}  // namespace dplb::dp::fuzz
