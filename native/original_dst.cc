// Reads a redirected TCP connection's original destination (SO_ORIGINAL_DST) for transparent capture.
// Node has no getsockopt, so this is the one native piece: it takes a socket fd and returns either
// {address, port, family} or the errno, never throwing, because a socket that was not redirected
// is a normal case (explicit proxy traffic) and the caller decides what it means.
#include <napi.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <linux/netfilter_ipv4.h>
#include <netinet/in.h>
#include <sys/socket.h>

// The IPv6 constant lives in linux/netfilter_ipv6/ip6_tables.h, whose other declarations clash with
// netinet/in.h; it has the same value as the IPv4 one.
#ifndef IP6T_SO_ORIGINAL_DST
#define IP6T_SO_ORIGINAL_DST 80
#endif

namespace {

Napi::Value Describe(Napi::Env env, const sockaddr_storage& storage) {
  char text[INET6_ADDRSTRLEN] = {0};
  Napi::Object result = Napi::Object::New(env);
  if (storage.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&storage);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    result.Set("address", text);
    result.Set("port", ntohs(v4->sin_port));
    result.Set("family", "IPv4");
    return result;
  }
  if (storage.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&storage);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    result.Set("address", text);
    result.Set("port", ntohs(v6->sin6_port));
    result.Set("family", "IPv6");
    return result;
  }
  return Napi::Number::New(env, EAFNOSUPPORT);
}

// Tries the query that matches the socket's own family. An AF_INET6 socket may carry IPv4 traffic
// (dual-stack listener, v4-mapped peer): its conntrack entry is IPv4, so SOL_IP is the right level.
int Query(int fd, sockaddr_storage* out) {
  sockaddr_storage local;
  socklen_t localLen = sizeof(local);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLen) != 0) return errno;

  bool ipv4 = local.ss_family == AF_INET;
  if (local.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&local);
    ipv4 = IN6_IS_ADDR_V4MAPPED(&v6->sin6_addr);
  } else if (!ipv4) {
    return EAFNOSUPPORT;
  }

  std::memset(out, 0, sizeof(*out));
  socklen_t len = sizeof(*out);
  int rc = ipv4 ? getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, out, &len)
                : getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, out, &len);
  return rc == 0 ? 0 : errno;
}

Napi::Value GetOriginalDst(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) return Napi::Number::New(env, EBADF);
  int fd = info[0].As<Napi::Number>().Int32Value();
  if (fd < 0) return Napi::Number::New(env, EBADF);
  sockaddr_storage storage;
  int err = Query(fd, &storage);
  if (err != 0) return Napi::Number::New(env, err);
  return Describe(env, storage);
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("getOriginalDst", Napi::Function::New(env, GetOriginalDst, "getOriginalDst"));
  return exports;
}

}  // namespace

NODE_API_MODULE(original_dst, Init)
