#include "healthcheck/ipvs_link.h"

#include "cli/ipvsadm/ipvsadm_command.h"
#include "cli/ipvsadm/ipvsadm_reply.h"
#include "cli/ipvsadm/ipvsadm_request.h"
#include "cli/ipvsadm/ipvsadm_rules.h"

namespace dplb::hc {
namespace {

using healthcheck::OpKind;

cli::IpvsCommand command_of(const healthcheck::IpvsOp& op) {
  cli::IpvsCommand c;
  switch (op.kind) {
    case OpKind::add_service: c.cmd = cli::IpvsCmd::kAddService; break;
    case OpKind::edit_service: c.cmd = cli::IpvsCmd::kEditService; break;
    case OpKind::del_service: c.cmd = cli::IpvsCmd::kDelService; break;
    case OpKind::add_dest: c.cmd = cli::IpvsCmd::kAddDest; break;
    case OpKind::edit_dest: c.cmd = cli::IpvsCmd::kEditDest; break;
    case OpKind::del_dest: c.cmd = cli::IpvsCmd::kDelDest; break;
  }
  c.has_service = true;
  c.service = op.key;
  c.sched = std::string(ipvs::sched_name(op.sched));
  c.persist_seconds = op.persist.seconds;
  c.persist_netmask = op.persist.netmask;
  c.has_dest = op.kind == OpKind::add_dest || op.kind == OpKind::edit_dest || op.kind == OpKind::del_dest;
  c.dest_addr = op.dest.addr;
  c.dest_port = op.dest.port;
  c.weight = op.dest.weight;
  c.fwd = op.dest.fwd;
  return c;
}

}  // namespace

Result<ctrl::Reply> IpvsLink::call(ctrl::Kind kind, uint32_t op, const std::vector<uint8_t>& payload) {
  if (!client_.is_connected()) {
    auto c = ctrl::Client::connect(path_, kCallTimeout);
    if (!c) return c.status();
    client_ = std::move(*c);
  }
  return client_.call(kind, op, payload, kCallTimeout);
}

Result<healthcheck::Target> IpvsLink::list() {
  cli::IpvsCommand cmd;
  cmd.cmd = cli::IpvsCmd::kSave;  // the full list without the info request
  auto requests = cli::build_requests(cmd);
  if (!requests) return requests.status();
  const cli::Request& r = requests->front();
  auto reply = call(r.kind, r.op, r.payload);
  if (!reply) return reply.status();
  if (reply->error) return reply->status();
  auto entries = cli::decode_list(reply->payload);
  if (!entries) return entries.status();
  healthcheck::Target t;
  for (const cli::ServiceEntry& e : *entries) {
    healthcheck::TargetService s;
    s.key = ipvs::ServiceKey{e.service.proto, Ip4(e.service.addr), e.service.port};
    s.sched = ipvs::parse_sched(ctrl::fixed_string(e.service.sched)).value_or(ipvs::kDefaultSched);
    if (e.service.timeout != 0) {  // as build_target states it: no netmask for /32
      s.persist.seconds = e.service.timeout;
      s.persist.netmask = e.service.netmask == 0xffffffffu ? 0 : e.service.netmask;
    }
    for (const proto::DestRecord& d : e.dests)
      s.dests[healthcheck::dest_id(Ip4(d.addr), d.port)] =
          healthcheck::TargetDest{Ip4(d.addr), d.port, uint16_t(d.weight),
                                  ipvs::fwd_from_wire(d.fwd).value_or(ipvs::FwdMethod::masq)};
    t[s.key.packed()] = std::move(s);
  }
  return t;
}

Status IpvsLink::apply(const healthcheck::IpvsOp& op) {
  auto requests = cli::build_requests(command_of(op));
  if (!requests) return requests.status();
  for (const cli::Request& r : *requests) {
    auto reply = call(r.kind, r.op, r.payload);
    if (!reply) return reply.status();
    if (reply->error) return Status::error(reply->error, cli::refusal_text(reply->error, reply->message));
  }
  return Status::ok();
}

}  // namespace dplb::hc
