// The packet pipeline's fuzz entry: random frames through eth_input of a worker built as the daemon
// builds one, shared by the libFuzzer target and the corpus replay (tests/unit/fuzz/pipeline_replay).
//
// The worker (as tests/golden/cases/nat.py configures the daemon, plus routes):
//   dpdk0  MAC 02:00:00:00:00:a0, MTU 1500, 10.0.0.1/24 and the VIP 10.0.0.100/32   (clients)
//   dpdk1  MAC 02:00:00:00:00:a1, MTU 1400, 10.1.0.1/24                              (real servers)
//   neighbours (permanent): 10.0.0.2 02:00:00:00:00:02 and 10.0.0.254 02:00:00:00:00:fe on dpdk0,
//     10.1.0.11 02:00:00:00:01:11, 10.1.0.12 02:00:00:00:01:12, 10.1.0.254 02:00:00:00:01:fe on dpdk1
//   routes: 192.168.0.0/16 via 10.0.0.254; 172.16.0.0/12 dev dpdk1 (on-link, nobody answers ARP);
//     default: nexthop via 10.0.0.254 dev dpdk0 weight 1, nexthop via 10.1.0.254 dev dpdk1 weight 2
//   services: TCP 10.0.0.100:80 rr -> 10.1.0.11:8080, 10.1.0.12:8080; UDP 10.0.0.100:53 rr ->
//     10.1.0.11:53; TCP 10.0.0.100:443 sh -> 10.1.0.12:443 weight 0 (drained: no server to pick)
//   forwarding on; existing connections, made at setup by frames through the pipeline:
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

// Once per process: EAL (--no-huge, net_null0 and net_null1 as dpdk0 and dpdk1), the mbuf pools
// and the configured worker. Returns "" or why it failed.
std::string pipeline_init();
// The worker reset to its configured tables and setup connections, the frames of `data` through
// eth_input one by one, each frame's TX checked and flushed, what waits for ARP given back: then
// every mbuf must be back in its pool. Returns "" when all
// holds, else what broke.
std::string check_pipeline(const uint8_t* data, size_t size);
// Stops the ports, frees the pools, EAL cleanup.
void pipeline_shutdown();

}  // namespace dplb::dp::fuzz
