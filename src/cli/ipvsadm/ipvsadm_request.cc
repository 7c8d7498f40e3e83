#include "cli/ipvsadm/ipvsadm_request.h"

#include <cstring>

namespace dplb::cli {
namespace {

template <typename T>
T zeroed() {
  T v;
  std::memset(&v, 0, sizeof v);
  return v;
}

Request set_request(uint32_t op, std::vector<uint8_t> payload = {}) {
  return Request{ctrl::Kind::kSet, op, std::move(payload)};
}

Request get_request(uint32_t op, std::vector<uint8_t> payload = {}) {
  return Request{ctrl::Kind::kGet, op, std::move(payload)};
}

}  // namespace

proto::ServiceRecord service_key_record(const ipvs::ServiceKey& key) {
  auto r = zeroed<proto::ServiceRecord>();
  r.proto = key.proto;
  r.port = key.vport;
  r.addr = key.vip.v;
  return r;
}

proto::ServiceQuery service_query(const IpvsCommand& cmd) {
  auto q = zeroed<proto::ServiceQuery>();
  q.has_service = cmd.has_service ? 1 : 0;
  if (cmd.has_service) q.service = service_key_record(cmd.service);
  return q;
}

Result<std::vector<Request>> build_requests(const IpvsCommand& cmd) {
  std::vector<Request> out;
  switch (cmd.cmd) {
    case IpvsCmd::kAddService:
    case IpvsCmd::kEditService: {
      proto::ServiceRecord r = service_key_record(cmd.service);
      if (!ctrl::set_fixed_string(r.sched, cmd.sched))
        return Status::invalid("scheduler name too long: " + cmd.sched);
      r.flags = cmd.sched_flags;
      r.timeout = cmd.persist_seconds;
      r.netmask = cmd.persist_seconds ? cmd.persist_netmask : 0;
      uint32_t op = cmd.cmd == IpvsCmd::kAddService ? proto::kOpIpvsAddService : proto::kOpIpvsEditService;
      out.push_back(set_request(op, ctrl::encode_pod(r)));
      break;
    }
    case IpvsCmd::kDelService:
      out.push_back(set_request(proto::kOpIpvsDelService, ctrl::encode_pod(service_key_record(cmd.service))));
      break;
    case IpvsCmd::kAddDest:
    case IpvsCmd::kEditDest:
    case IpvsCmd::kDelDest: {
      auto op = zeroed<proto::DestOp>();
      op.service = service_key_record(cmd.service);
      op.dest.addr = cmd.dest_addr.v;
      op.dest.port = cmd.dest_port;
      uint32_t id = proto::kOpIpvsDelDest;
      if (cmd.cmd != IpvsCmd::kDelDest) {
        op.dest.weight = cmd.weight;
        op.dest.fwd = uint32_t(cmd.fwd);
        // As ipvsadm: direct routing and tunnels cannot change the port, the real server's is the
        // service's.
        if (cmd.fwd != ipvs::FwdMethod::masq) op.dest.port = cmd.service.vport;
        id = cmd.cmd == IpvsCmd::kAddDest ? proto::kOpIpvsAddDest : proto::kOpIpvsEditDest;
      }
      out.push_back(set_request(id, ctrl::encode_pod(op)));
      break;
    }
    case IpvsCmd::kClear: out.push_back(set_request(proto::kOpIpvsClear)); break;
    case IpvsCmd::kZero:
      out.push_back(set_request(proto::kOpIpvsZero, ctrl::encode_pod(service_query(cmd))));
      break;
    case IpvsCmd::kSetTimeouts: {
      auto t = zeroed<proto::IpvsTimeouts>();
      t.tcp = cmd.timeouts.tcp;
      t.tcp_fin = cmd.timeouts.tcp_fin;
      t.udp = cmd.timeouts.udp;
      out.push_back(set_request(proto::kOpIpvsSetTimeouts, ctrl::encode_pod(t)));
      break;
    }
    case IpvsCmd::kList:
      switch (cmd.list) {
        case ListWhat::kAll:
          out.push_back(get_request(proto::kOpIpvsInfo));
          out.push_back(get_request(proto::kOpIpvsList, ctrl::encode_pod(service_query(cmd))));
          break;
        case ListWhat::kService:
          out.push_back(get_request(proto::kOpIpvsList, ctrl::encode_pod(service_query(cmd))));
          break;
        case ListWhat::kConnections:
          out.push_back(get_request(proto::kOpIpvsConns, ctrl::encode_pod(zeroed<proto::ConnQuery>())));
          break;
        case ListWhat::kTimeouts: out.push_back(get_request(proto::kOpIpvsGetTimeouts)); break;
      }
      break;
    case IpvsCmd::kSave:
      out.push_back(get_request(proto::kOpIpvsList, ctrl::encode_pod(service_query(cmd))));
      break;
    case IpvsCmd::kRestore:
    case IpvsCmd::kHelp:
    case IpvsCmd::kVersion: break;
  }
  return out;
}

}  // namespace dplb::cli
