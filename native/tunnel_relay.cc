// Opens a tunnel's upstream connection and moves the tunnel's bytes between its two sockets inside the
// kernel: splice(2) through one pipe per direction, driven by a single background epoll thread shared by
// every tunnel. Once a CONNECT or captured tunnel is up, its traffic costs the JavaScript thread nothing
// per chunk; JavaScript hears once when a dial completes, and once when a tunnel ends, why it ended and
// how many bytes went each way.
//
// It can also own the outbound listener's accepts: the thread accepts each connection and peeks at its
// first bytes. A complete CONNECT head is handed to JavaScript as a descriptor and the head's text, so a
// CONNECT tunnel never becomes a Node socket; anything else (plain HTTP, captured traffic, a head still
// incomplete after 100 ms) is handed over as a bare descriptor for JavaScript to wrap in a socket,
// with every byte still unread in the kernel.
//
// Ownership: JavaScript keeps its client sockets (and an upstream socket it opened itself). The relay
// works on duplicates of their descriptors and closes those itself when the tunnel ends, so a socket
// JavaScript destroys early can never have its descriptor number reused under the relay; JavaScript
// aborts the relay when it closes a socket. An upstream the relay dialled is the relay's alone.
#include <napi.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netfilter_ipv4.h>
#include <pthread.h>
#include <csignal>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

// Defined in linux/netfilter_ipv6/ip6_tables.h, which clashes with netinet/in.h; same value as IPv4's.
#ifndef IP6T_SO_ORIGINAL_DST
#define IP6T_SO_ORIGINAL_DST 80
#endif

namespace {

// Why a relay ended; the numbers are part of the JavaScript contract (kernel-relay.ts).
enum EndReason { kClosed = 0, kIdle = 1, kAborted = 2, kFailed = 3 };

// Bytes a pipe takes per splice; the kernel's default pipe holds 64 KiB.
constexpr size_t kChunk = 64 * 1024;
// Empty pipes kept for reuse (a tunnel takes two), at most: enough that short tunnels rarely open one,
// few enough that a past burst leaves at most 128 descriptors held.
constexpr size_t kSparePipes = 64;
// The eventfd's epoll tag; the others are (id << 2) | slot with id >= 1, so they never collide with it.
constexpr uint64_t kWakeTag = 0;
enum Slot : uint64_t { kClientSlot = 0, kUpstreamSlot = 1, kDialSlot = 2, kAcceptSlot = 3 };
// Which flows a step pumps: client -> upstream, upstream -> client.
enum Direction : int { kUp = 1, kDown = 2, kBothWays = 3 };
// How much of a new connection is peeked at for a CONNECT head; a longer head goes to JavaScript's parser.
constexpr size_t kSniffBytes = 4096;
// How long a new connection may take to send a complete CONNECT head before JavaScript takes it over
// (and applies its own header and idle timeouts, which therefore start up to this much after the accept).
// Clients send the head right after connecting, so a tunnel rarely misses it; one that does is still
// served, by Node's sockets.
constexpr int64_t kSniffMs = 100;
// After running out of descriptors, the listener rests this long rather than spin on a ready backlog.
constexpr int64_t kAcceptPauseMs = 100;

uint64_t Tag(uint32_t id, Slot slot) {
  return (static_cast<uint64_t>(id) << 2) | slot;
}

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// One direction of a tunnel: `from` is read into the pipe, the pipe is emptied into `to`.
struct Flow {
  int from = -1;
  int to = -1;
  int pipeRead = -1;
  int pipeWrite = -1;
  size_t inPipe = 0;
  // Bytes JavaScript had already read when it handed the tunnel over; written to `to` first.
  std::string pending;
  size_t pendingSent = 0;
  bool eof = false;
  bool shut = false;
  std::atomic<uint64_t> bytes{0};
};

// What the relay thread tells JavaScript: a relay ended, or a dial completed.
enum ReportKind { kRelayEnded = 0, kDialed = 1 };

struct Report {
  ReportKind kind;
  uint32_t id;
  int reason;  // EndReason for kRelayEnded
  int error;   // errno; 0 when a dial connected
  double toUpstream;
  double toClient;
  char localAddress[INET6_ADDRSTRLEN];
  int localPort;
};

struct Relay {
  uint32_t id = 0;
  int client = -1;
  int upstream = -1;
  Flow up;    // client -> upstream
  Flow down;  // upstream -> client
  // The dial whose connection is the upstream (0: JavaScript's own socket, duplicated into `upstream`).
  uint32_t dialId = 0;
  // The client is a connection this thread accepted, still in the epoll set from its accept.
  bool owned = false;
  int64_t idleMs = 0;
  int64_t lastActive = 0;
  Napi::ThreadSafeFunction report;
};

// An upstream connection the relay opens, from connect() until a relay takes it or JavaScript drops it.
struct Dial {
  uint32_t id = 0;
  sockaddr_storage address{};
  socklen_t addressLength = 0;
  int64_t timeoutMs = 0;
  int64_t deadline = 0;
  int fd = -1;
  bool connected = false;
  Napi::ThreadSafeFunction report;
  // Armed: an accepted client (this thread's descriptor) whose relay starts the moment the connect
  // succeeds, with `toClient` (CONNECT's 200) first, without waiting for JavaScript. A failed connect
  // hands the client back to JavaScript, to answer; an aborted one closes it.
  int armedClient = -1;
  std::string toClient;
  int64_t idleMs = 0;
};

// What a listener tells JavaScript about one accepted connection, or that it has stopped.
enum AcceptKind { kAdopt = 0, kConnectHead = 1, kStopped = 2 };

struct AcceptReport {
  AcceptKind kind;
  int fd;
  std::string head;  // kConnectHead: the request head, up to and including its blank line
  char peer[INET6_ADDRSTRLEN];
  int peerPort;
};

// A listening socket whose connections the relay thread accepts.
struct Listener {
  uint32_t id = 0;
  int fd = -1;
  // Whether accepted connections may be transparently captured (then they go to JavaScript unpeeked).
  bool captureCheck = false;
  int64_t pausedUntil = 0;
  Napi::ThreadSafeFunction report;
};

// An accepted connection whose first bytes are awaited.
struct Pending {
  uint32_t id = 0;
  int fd = -1;
  std::shared_ptr<Listener> listener;
  int64_t deadline = 0;
  char peer[INET6_ADDRSTRLEN] = {0};
  int peerPort = 0;
};

// Runs on the JavaScript thread: hands one report to the callback registered with onReport().
void Deliver(Napi::Env env, Napi::Function callback, Report* report);
void DeliverAccept(Napi::Env env, Napi::Function callback, AcceptReport* report);

// Text and port of an IPv4 or IPv6 socket address; false for any other family.
bool Describe(const sockaddr_storage& address, char (&text)[INET6_ADDRSTRLEN], int& port) {
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    port = ntohs(v4->sin_port);
    return true;
  }
  if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    port = ntohs(v6->sin6_port);
    return true;
  }
  return false;
}

// The same endpoint, an IPv4 address and its IPv4-mapped IPv6 form counting as one.
bool SameEndpoint(const sockaddr_storage& a, const sockaddr_storage& b) {
  char textA[INET6_ADDRSTRLEN] = {0};
  char textB[INET6_ADDRSTRLEN] = {0};
  int portA = 0;
  int portB = 0;
  if (!Describe(a, textA, portA) || !Describe(b, textB, portB) || portA != portB) return false;
  auto unmapped = [](const char* text) { return strncmp(text, "::ffff:", 7) == 0 && strchr(text, '.') ? text + 7 : text; };
  return strcmp(unmapped(textA), unmapped(textB)) == 0;
}

// Whether iptables redirected this connection here: it has an original destination other than the
// address it reached. JavaScript makes the full capture decision on the socket it builds. The peer's
// family picks the query (an IPv4 client of a dual-stack listener has an IPv4 conntrack entry); a
// connection with no NAT entry, the usual case, costs one system call.
bool MaybeCaptured(int fd, const sockaddr_storage& peer) {
  bool ipv4 = peer.ss_family == AF_INET;
  if (peer.ss_family == AF_INET6)
    ipv4 = IN6_IS_ADDR_V4MAPPED(&reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_addr);
  sockaddr_storage original{};
  socklen_t length = sizeof(original);
  int rc = ipv4 ? getsockopt(fd, SOL_IP, SO_ORIGINAL_DST, &original, &length)
                : getsockopt(fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &original, &length);
  if (rc != 0) return false;
  sockaddr_storage local{};
  socklen_t localLength = sizeof(local);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &localLength) != 0) return false;
  return !SameEndpoint(original, local);
}

void CloseIfOpen(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Moves what it can without blocking; returns an errno when the flow broke, 0 otherwise. It stops only at
// EAGAIN: registrations are edge-triggered, so giving up earlier (on EINTR) could wait for an edge forever.
int Pump(Flow& flow, bool& moved) {
  for (;;) {
    while (flow.pendingSent < flow.pending.size()) {
      ssize_t n = send(flow.to, flow.pending.data() + flow.pendingSent, flow.pending.size() - flow.pendingSent,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno == EAGAIN ? 0 : errno;
      flow.pendingSent += static_cast<size_t>(n);
      moved = true;
    }
    if (!flow.pending.empty()) std::string().swap(flow.pending);
    while (flow.inPipe > 0) {
      ssize_t n = splice(flow.pipeRead, nullptr, flow.to, nullptr, flow.inPipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno == EAGAIN ? 0 : errno;
      flow.inPipe -= static_cast<size_t>(n);
      flow.bytes.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
      moved = true;
    }
    if (flow.eof) {
      if (!flow.shut) {
        // Half-close, as Envoy's tcp_proxy does: the peer learns the other side finished sending.
        shutdown(flow.to, SHUT_WR);
        flow.shut = true;
      }
      return 0;
    }
    ssize_t n = splice(flow.from, nullptr, flow.pipeWrite, nullptr, kChunk, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (n > 0) {
      flow.inPipe = static_cast<size_t>(n);
      moved = true;
      continue;
    }
    if (n == 0) {
      flow.eof = true;
      moved = true;
      continue;
    }
    if (errno == EINTR) continue;
    return errno == EAGAIN ? 0 : errno;
  }
}

// Ids of dials, relays, listeners and connections being peeked at: one space, so epoll tags never collide.
std::atomic<uint32_t> nextId{1};

class Relayer {
 public:
  static Relayer& Get() {
    static Relayer* instance = new Relayer();  // lives as long as the process; its thread never joins
    return *instance;
  }

  // 0, or the -errno that kept the thread from starting (then every call below fails with it).
  int StartError() const { return startError_; }

  int Start(std::shared_ptr<Relay> relay) {
    if (epoll_ < 0) return startError_;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      byId_[relay->id] = relay;
      added_.push_back(std::move(relay));
    }
    Wake();
    return 0;
  }

  int Dial(std::shared_ptr<struct Dial> dial) {
    if (epoll_ < 0) return startError_;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      dialed_.push_back(std::move(dial));
    }
    Wake();
    return 0;
  }

  int Listen(std::shared_ptr<Listener> listener) {
    if (epoll_ < 0) return startError_;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      listening_.push_back(std::move(listener));
    }
    Wake();
    return 0;
  }

  // Stops accepting; connections still being peeked at go to JavaScript, then a kStopped report follows.
  void StopListening(uint32_t id) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      unlistening_.push_back(id);
    }
    Wake();
  }

  // Takes an accepted connection out of the epoll set (JavaScript reads it from now on).
  void Unwatch(int fd) {
    if (epoll_ >= 0) epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  }

  // Ends a relay, or drops a dial (in progress or connected and not yet relayed), by id.
  void Abort(uint32_t id) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      aborted_.push_back(id);
    }
    Wake();
  }

  void Forget(uint32_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    byId_.erase(id);
  }

  bool Bytes(uint32_t id, uint64_t& toUpstream, uint64_t& toClient) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = byId_.find(id);
    if (it == byId_.end()) return false;
    toUpstream = it->second->up.bytes.load(std::memory_order_relaxed);
    toClient = it->second->down.bytes.load(std::memory_order_relaxed);
    return true;
  }

 private:
  Relayer() {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    wake_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (epoll_ < 0 || wake_ < 0) {
      startError_ = -errno;
      CloseIfOpen(epoll_);
      CloseIfOpen(wake_);
      return;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = kWakeTag;
    epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &event);
    // The thread takes no signals: they stay with the threads Node handles them on.
    sigset_t all;
    sigset_t previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    std::thread([this] { Loop(); }).detach();
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  }

  // Writes the eventfd only when the thread may be about to sleep: a busy thread finds new commands
  // before it waits again, and two system calls per tunnel are saved under load.
  void Wake() {
    if (!sleeping_.exchange(false)) return;
    uint64_t one = 1;
    ssize_t ignored = write(wake_, &one, sizeof(one));
    (void)ignored;
  }

  bool HasCommands() {
    std::lock_guard<std::mutex> lock(mutex_);
    return !dialed_.empty() || !added_.empty() || !aborted_.empty() || !listening_.empty() || !unlistening_.empty();
  }

  void Loop() {
    std::vector<epoll_event> events(256);
    for (;;) {
      // Set before looking for commands, so that a command queued after the look is followed by a wake.
      sleeping_.store(true);
      bool queued = HasCommands();
      int timeout = -1;
      if (queued) {
        timeout = 0;
      } else if (nextIdleCheck_ != INT64_MAX) {
        timeout = static_cast<int>(std::max<int64_t>(0, nextIdleCheck_ - NowMs()));
      }
      int count = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), timeout);
      sleeping_.store(false);
      if (count < 0 && errno != EINTR) return;
      now_ = NowMs();
      if (queued) TakeCommands();
      for (int i = 0; i < count; i++) {
        uint64_t tag = events[i].data.u64;
        if (tag == kWakeTag) {
          uint64_t counter;
          ssize_t ignored = read(wake_, &counter, sizeof(counter));
          (void)ignored;
          TakeCommands();
          continue;
        }
        uint32_t id = static_cast<uint32_t>(tag >> 2);
        if ((tag & 3) == kAcceptSlot) {
          auto listener = listeners_.find(id);
          if (listener != listeners_.end()) {
            std::shared_ptr<Listener> held = listener->second;
            AcceptAll(held);
            continue;
          }
          auto pending = pending_.find(id);
          if (pending != pending_.end()) {
            std::shared_ptr<Pending> held = pending->second;
            Sniff(held);
          }
          continue;
        }
        if ((tag & 3) == kDialSlot) {
          auto dial = dials_.find(id);
          if (dial != dials_.end() && !dial->second->connected) {
            std::shared_ptr<struct Dial> held = dial->second;  // Connected() may erase the map's reference
            Connected(held, events[i].events);
          }
          continue;
        }
        auto it = live_.find(id);
        if (it == live_.end()) continue;  // ended earlier in this batch
        std::shared_ptr<Relay> relay = it->second;
        if (events[i].events & EPOLLERR) {
          int fd = (tag & 3) == kClientSlot ? relay->client : relay->upstream;
          int error = 0;
          socklen_t len = sizeof(error);
          if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error != 0) {
            End(*relay, kFailed, error);
            continue;
          }
        }
        Step(*relay, Directions((tag & 3) == kClientSlot, events[i].events));
      }
      if (now_ >= nextIdleCheck_) CheckIdle();
    }
  }

  void TakeCommands() {
    std::vector<std::shared_ptr<struct Dial>> dialed;
    std::vector<std::shared_ptr<Relay>> added;
    std::vector<uint32_t> aborted;
    std::vector<std::shared_ptr<Listener>> listening;
    std::vector<uint32_t> unlistening;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      dialed.swap(dialed_);
      added.swap(added_);
      aborted.swap(aborted_);
      listening.swap(listening_);
      unlistening.swap(unlistening_);
    }
    for (auto& listener : listening) {
      listeners_[listener->id] = listener;
      WatchListener(*listener);
    }
    for (uint32_t id : unlistening) Unlisten(id);
    for (auto& dial : dialed) BeginDial(dial);
    for (auto& relay : added) Begin(relay);
    for (uint32_t id : aborted) {
      auto it = live_.find(id);
      if (it != live_.end()) End(*it->second, kAborted, 0);
      auto found = dials_.find(id);
      if (found == dials_.end()) continue;
      std::shared_ptr<struct Dial> dial = found->second;  // Drop() erases the map's reference
      if (dial->armedClient >= 0) {
        // JavaScript gave the client up when it armed the dial: it is closed here, and the dial reported.
        CloseIfOpen(dial->armedClient);
        Failed(*dial, ECANCELED);
      } else {
        Drop(*dial);
      }
    }
  }

  // A relay starts moving bytes: it takes its dialled upstream and two pipes, and joins the epoll set.
  void Begin(const std::shared_ptr<Relay>& relay) {
    relay->lastActive = now_;
    live_[relay->id] = relay;
    int error = relay->dialId != 0 ? TakeDialed(*relay) : 0;
    if (error == 0) error = TakePipe(relay->up);
    if (error == 0) error = TakePipe(relay->down);
    if (error != 0) return End(*relay, kFailed, error);
    for (int side = 0; side < 2; side++) {
      epoll_event event{};
      event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      event.data.u64 = Tag(relay->id, side == 0 ? kClientSlot : kUpstreamSlot);
      // A dialled upstream is registered already (as its dial), and so is an accepted client: they only
      // change tag and events.
      bool registered = side == 0 ? relay->owned : relay->dialId != 0;
      int fd = side == 0 ? relay->client : relay->upstream;
      int result = epoll_ctl(epoll_, registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &event);
      if (result != 0 && registered && errno == ENOENT) result = epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event);
      if (result != 0) return End(*relay, kFailed, errno);
    }
    if (relay->idleMs > 0) nextIdleCheck_ = std::min(nextIdleCheck_, now_ + relay->idleMs);
    Step(*relay, kBothWays);
  }

  // Level-triggered, so a backlog left after a batch is found again on the next wait.
  void WatchListener(Listener& listener) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = Tag(listener.id, kAcceptSlot);
    epoll_ctl(epoll_, EPOLL_CTL_ADD, listener.fd, &event);
  }

  // Accepts a batch; other ready sockets are served before the next one.
  void AcceptAll(const std::shared_ptr<Listener>& listener) {
    for (int accepted = 0; accepted < 64;) {
      sockaddr_storage peer{};
      socklen_t peerLength = sizeof(peer);
      int fd = accept4(listener->fd, reinterpret_cast<sockaddr*>(&peer), &peerLength, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // The backlog stays ready: rest rather than spin until a descriptor is freed.
          epoll_ctl(epoll_, EPOLL_CTL_DEL, listener->fd, nullptr);
          listener->pausedUntil = now_ + kAcceptPauseMs;
          nextIdleCheck_ = std::min(nextIdleCheck_, listener->pausedUntil);
        }
        return;
      }
      accepted++;  // TCP_NODELAY comes from the listening socket
      auto pending = std::make_shared<Pending>();
      pending->id = nextId.fetch_add(1);
      pending->fd = fd;
      pending->listener = listener;
      pending->deadline = now_ + kSniffMs;
      Describe(peer, pending->peer, pending->peerPort);
      if (listener->captureCheck && MaybeCaptured(fd, peer)) {
        Adopt(*pending, false);
        continue;
      }
      epoll_event event{};
      event.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
      event.data.u64 = Tag(pending->id, kAcceptSlot);
      if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event) != 0) {
        Adopt(*pending, false);
        continue;
      }
      pending_[pending->id] = pending;
      nextIdleCheck_ = std::min(nextIdleCheck_, pending->deadline);
    }
  }

  // Looks at what the connection has sent so far, without taking it from the socket.
  void Sniff(const std::shared_ptr<Pending>& pending) {
    char bytes[kSniffBytes];
    ssize_t n;
    do {
      n = recv(pending->fd, bytes, sizeof(bytes), MSG_PEEK | MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) return;
    static const char kMethod[] = "CONNECT ";
    constexpr size_t kMethodLength = sizeof(kMethod) - 1;
    // Closed, failed, or not a CONNECT: JavaScript serves it as it would any connection.
    if (n <= 0 || memcmp(bytes, kMethod, std::min(static_cast<size_t>(n), kMethodLength)) != 0)
      return Adopt(*pending, true);
    size_t length = static_cast<size_t>(n);
    const char* end = length >= kMethodLength ? static_cast<const char*>(memmem(bytes, length, "\r\n\r\n", 4)) : nullptr;
    if (end == nullptr) {
      if (length == sizeof(bytes)) Adopt(*pending, true);
      return;  // the rest of the head comes with a later edge, or the deadline hands it over
    }
    // It stays in the epoll set, its events ignored until a relay retags it (or JavaScript unwatches it):
    // two system calls saved per tunnel.
    pending_.erase(pending->id);
    auto* report = new AcceptReport{kConnectHead, pending->fd, std::string(bytes, end + 4 - bytes), {0}, pending->peerPort};
    memcpy(report->peer, pending->peer, sizeof(report->peer));
    SendAccept(*pending->listener, report);
  }

  // Hands a connection to JavaScript as a bare descriptor.
  void Adopt(Pending& pending, bool watched) {
    if (watched) {
      epoll_ctl(epoll_, EPOLL_CTL_DEL, pending.fd, nullptr);
      pending_.erase(pending.id);
    }
    auto* report = new AcceptReport{kAdopt, pending.fd, std::string(), {0}, pending.peerPort};
    memcpy(report->peer, pending.peer, sizeof(report->peer));
    SendAccept(*pending.listener, report);
  }

  void SendAccept(Listener& listener, AcceptReport* report) {
    if (listener.report.NonBlockingCall(report, DeliverAccept) != napi_ok) {
      if (report->fd >= 0) close(report->fd);
      delete report;
    }
  }

  void Unlisten(uint32_t id) {
    auto found = listeners_.find(id);
    if (found == listeners_.end()) return;
    std::shared_ptr<Listener> listener = found->second;
    listeners_.erase(found);
    epoll_ctl(epoll_, EPOLL_CTL_DEL, listener->fd, nullptr);
    CloseIfOpen(listener->fd);
    std::vector<std::shared_ptr<Pending>> waiting;
    for (auto& [pendingId, pending] : pending_)
      if (pending->listener == listener) waiting.push_back(pending);
    for (auto& pending : waiting) Adopt(*pending, true);
    SendAccept(*listener, new AcceptReport{kStopped, -1, std::string(), {0}, 0});
    listener->report.Release();
  }

  // Starts a non-blocking connect; even on loopback its handshake is work the JavaScript thread is spared.
  void BeginDial(const std::shared_ptr<struct Dial>& dial) {
    dials_[dial->id] = dial;
    dial->fd = socket(dial->address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (dial->fd < 0) return Failed(*dial, errno);
    int one = 1;
    setsockopt(dial->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(dial->fd, reinterpret_cast<sockaddr*>(&dial->address), dial->addressLength) == 0)
      return Connected(dial, EPOLLOUT);
    if (errno != EINPROGRESS) return Failed(*dial, errno);
    epoll_event event{};
    event.events = EPOLLOUT | EPOLLET;
    event.data.u64 = Tag(dial->id, kDialSlot);
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, dial->fd, &event) != 0) return Failed(*dial, errno);
    dial->deadline = now_ + dial->timeoutMs;
    nextIdleCheck_ = std::min(nextIdleCheck_, dial->deadline);
  }

  // The connect finished, one way or the other.
  void Connected(const std::shared_ptr<struct Dial>& dial, uint32_t events) {
    int error = 0;
    socklen_t length = sizeof(error);
    // Writable without an error or hang-up is a completed connect; only a failure needs its errno read.
    if ((events & (EPOLLERR | EPOLLHUP)) != 0 && getsockopt(dial->fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
      error = errno;
    if ((events & (EPOLLERR | EPOLLHUP)) != 0 && error == 0) error = ECONNRESET;
    // Stays registered (events with a connected dial's tag are ignored) until a relay changes it.
    if (error != 0) return Failed(*dial, error);
    dial->connected = true;
    auto* report = new Report{kDialed, dial->id, 0, 0, 0, 0, {0}, 0};
    sockaddr_storage local{};
    socklen_t localLength = sizeof(local);
    if (getsockname(dial->fd, reinterpret_cast<sockaddr*>(&local), &localLength) == 0)
      Describe(local, report->localAddress, report->localPort);
    Send(dial->report, report);
    if (dial->armedClient >= 0) StartArmed(*dial);
  }

  // The armed client's relay begins at once; JavaScript hears of it by the dial's report.
  void StartArmed(struct Dial& dial) {
    auto relay = std::make_shared<Relay>();
    relay->id = dial.id;  // one id for the dial and its relay: JavaScript aborts and reads bytes by it
    relay->dialId = dial.id;
    relay->client = dial.armedClient;
    relay->owned = true;
    relay->idleMs = dial.idleMs;
    relay->up.from = relay->client;
    relay->down.to = relay->client;
    relay->down.pending = std::move(dial.toClient);
    relay->report = dial.report;
    dial.armedClient = -1;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      byId_[relay->id] = relay;
    }
    Begin(relay);
  }

  void Failed(struct Dial& dial, int error) {
    dial.armedClient = -1;  // an armed client goes back to JavaScript, which answers it
    Send(dial.report, new Report{kDialed, dial.id, 0, error, 0, 0, {0}, 0});
    Drop(dial);
  }

  void Drop(struct Dial& dial) {
    // The relay holds the only descriptor of a dialled socket, so closing it also leaves the epoll set.
    CloseIfOpen(dial.fd);
    dials_.erase(dial.id);
  }

  // A relay over a dialled connection takes the connection over.
  int TakeDialed(Relay& relay) {
    auto dial = dials_.find(relay.dialId);
    if (dial == dials_.end() || !dial->second->connected) return EBADF;
    relay.upstream = dial->second->fd;
    relay.up.to = relay.upstream;
    relay.down.from = relay.upstream;
    dial->second->fd = -1;
    dials_.erase(dial);
    return 0;
  }

  void Send(Napi::ThreadSafeFunction& to, Report* report) {
    if (to.NonBlockingCall(report, Deliver) != napi_ok) {
      if (report->kind == kRelayEnded) Forget(report->id);
      delete report;
    }
  }

  // The flows an event on one side can move: what that side sent is read, and what waits for it written.
  // Pumping only those spares a splice that would find nothing (EAGAIN) on every event.
  static int Directions(bool clientSide, uint32_t events) {
    if ((events & (EPOLLERR | EPOLLHUP)) != 0) return kBothWays;
    int which = 0;
    if ((events & (EPOLLIN | EPOLLRDHUP)) != 0) which |= clientSide ? kUp : kDown;
    if ((events & EPOLLOUT) != 0) which |= clientSide ? kDown : kUp;
    return which;
  }

  void Step(Relay& relay, int which) {
    bool moved = false;
    int error = (which & kUp) != 0 ? Pump(relay.up, moved) : 0;
    if (error == 0 && (which & kDown) != 0) error = Pump(relay.down, moved);
    if (moved) relay.lastActive = now_;
    if (error != 0) {
      End(relay, kFailed, error);
    } else if (relay.up.shut && relay.down.shut) {
      End(relay, kClosed, 0);
    }
  }

  // Pipes are reused: two per tunnel would otherwise cost four descriptors' worth of system calls to open
  // and close for every short tunnel.
  int TakePipe(Flow& flow) {
    if (!spare_.empty()) {
      flow.pipeRead = spare_.back().first;
      flow.pipeWrite = spare_.back().second;
      spare_.pop_back();
      return 0;
    }
    int fds[2];
    if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return errno;
    flow.pipeRead = fds[0];
    flow.pipeWrite = fds[1];
    return 0;
  }

  // Only an empty pipe can serve another tunnel.
  void GiveBackPipe(Flow& flow) {
    if (flow.pipeRead >= 0 && flow.inPipe == 0 && spare_.size() < kSparePipes) {
      spare_.emplace_back(flow.pipeRead, flow.pipeWrite);
      flow.pipeRead = flow.pipeWrite = -1;
      return;
    }
    CloseIfOpen(flow.pipeRead);
    CloseIfOpen(flow.pipeWrite);
  }

  // Runs only when the earliest idle or connect deadline is due; activity only ever moves deadlines later.
  void CheckIdle() {
    int64_t next = INT64_MAX;
    std::vector<std::shared_ptr<Relay>> idle;
    for (auto& [id, relay] : live_) {
      if (relay->idleMs <= 0) continue;
      int64_t deadline = relay->lastActive + relay->idleMs;
      if (deadline <= now_) {
        idle.push_back(relay);
      } else {
        next = std::min(next, deadline);
      }
    }
    std::vector<std::shared_ptr<struct Dial>> late;
    for (auto& [id, dial] : dials_) {
      if (dial->connected) continue;
      if (dial->deadline <= now_) {
        late.push_back(dial);
      } else {
        next = std::min(next, dial->deadline);
      }
    }
    std::vector<std::shared_ptr<Pending>> slow;
    for (auto& [id, pending] : pending_) {
      if (pending->deadline <= now_) {
        slow.push_back(pending);
      } else {
        next = std::min(next, pending->deadline);
      }
    }
    for (auto& [id, listener] : listeners_) {
      if (listener->pausedUntil == 0) continue;
      if (listener->pausedUntil <= now_) {
        listener->pausedUntil = 0;
        WatchListener(*listener);
      } else {
        next = std::min(next, listener->pausedUntil);
      }
    }
    nextIdleCheck_ = next;
    for (auto& pending : slow) Adopt(*pending, true);
    for (auto& relay : idle) End(*relay, kIdle, 0);
    for (auto& dial : late) Failed(*dial, ETIMEDOUT);
  }

  void End(Relay& relay, EndReason reason, int error) {
    // The caller's reference may be the map's: hold the relay until this function is done with it.
    auto found = live_.find(relay.id);
    std::shared_ptr<Relay> keep = found != live_.end() ? found->second : nullptr;
    // Duplicates leave the epoll set only when every descriptor of their socket is closed, and JavaScript
    // still holds its own; a dialled upstream leaves with its close.
    // An accepted client and a dialled upstream leave with their close.
    if (!relay.owned) epoll_ctl(epoll_, EPOLL_CTL_DEL, relay.client, nullptr);
    if (relay.dialId == 0) epoll_ctl(epoll_, EPOLL_CTL_DEL, relay.upstream, nullptr);
    live_.erase(relay.id);
    auto* report = new Report{kRelayEnded,
                              relay.id,
                              reason,
                              error,
                              static_cast<double>(relay.up.bytes.load(std::memory_order_relaxed)),
                              static_cast<double>(relay.down.bytes.load(std::memory_order_relaxed)),
                              {0},
                              0};
    CloseIfOpen(relay.client);
    CloseIfOpen(relay.upstream);
    GiveBackPipe(relay.up);
    GiveBackPipe(relay.down);
    // The final counts stay readable (bytes()) until JavaScript has heard of the end (Deliver).
    Send(relay.report, report);
  }

  int epoll_ = -1;
  int wake_ = -1;
  int startError_ = 0;
  std::atomic<bool> sleeping_{false};
  std::mutex mutex_;
  std::vector<std::shared_ptr<struct Dial>> dialed_;
  std::vector<std::shared_ptr<Relay>> added_;
  std::vector<uint32_t> aborted_;
  std::vector<std::shared_ptr<Listener>> listening_;
  std::vector<uint32_t> unlistening_;
  std::unordered_map<uint32_t, std::shared_ptr<Relay>> byId_;
  // Touched by the relay thread only.
  std::unordered_map<uint32_t, std::shared_ptr<Relay>> live_;
  std::unordered_map<uint32_t, std::shared_ptr<struct Dial>> dials_;
  std::unordered_map<uint32_t, std::shared_ptr<Listener>> listeners_;
  std::unordered_map<uint32_t, std::shared_ptr<Pending>> pending_;
  std::vector<std::pair<int, int>> spare_;
  int64_t nextIdleCheck_ = INT64_MAX;
  int64_t now_ = 0;
};

void Deliver(Napi::Env env, Napi::Function callback, Report* report) {
  if (report->kind == kRelayEnded) Relayer::Get().Forget(report->id);
  callback.Call({Napi::Number::New(env, report->kind), Napi::Number::New(env, report->id),
                 Napi::Number::New(env, report->reason), Napi::Number::New(env, report->error),
                 Napi::Number::New(env, report->toUpstream), Napi::Number::New(env, report->toClient),
                 Napi::String::New(env, report->localAddress), Napi::Number::New(env, report->localPort)});
  delete report;
}

void DeliverAccept(Napi::Env env, Napi::Function callback, AcceptReport* report) {
  if (env == nullptr || callback.IsEmpty()) {
    if (report->fd >= 0) close(report->fd);  // the environment is going away: nobody will take it
  } else {
    Napi::Value head = report->kind == kConnectHead
                           ? Napi::Buffer<char>::Copy(env, report->head.data(), report->head.size()).As<Napi::Value>()
                           : env.Undefined().As<Napi::Value>();
    callback.Call({Napi::Number::New(env, report->kind), Napi::Number::New(env, report->fd),
                   Napi::String::New(env, report->peer), Napi::Number::New(env, report->peerPort), head});
  }
  delete report;
}

// The IPv4 or IPv6 socket address for JavaScript's (ip, port); false when `ip` is neither.
bool SocketAddress(const Napi::Value& ipValue, const Napi::Value& portValue, sockaddr_storage& out,
                   socklen_t& length) {
  std::string ip = ipValue.As<Napi::String>().Utf8Value();
  uint16_t port = static_cast<uint16_t>(portValue.As<Napi::Number>().Uint32Value());
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
    return true;
  }
  if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

std::string Bytes(const Napi::Value& value) {
  if (!value.IsBuffer()) return std::string();
  auto buffer = value.As<Napi::Buffer<char>>();
  return std::string(buffer.Data(), buffer.Length());
}

Napi::ThreadSafeFunction* Reporter(Napi::Env env) {
  return env.GetInstanceData<Napi::ThreadSafeFunction>();
}

// onReport(callback) -> 0 or -errno: this JavaScript environment's dials and relays report to `callback(kind, id, reason,
// errno, toUpstream, toClient, localAddress, localPort)`. One thread-safe function per environment:
// creating one per tunnel would cost a libuv async handle each.
// Returns 0, or -errno when the relay thread could not start: it starts here, at load, rather than with the
// first tunnel, which might come when no descriptor is left for its epoll.
Napi::Value OnReport(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int error = Relayer::Get().StartError();
  if (error != 0) return Napi::Number::New(env, error);
  if (info.Length() < 1 || !info[0].IsFunction()) return Napi::Number::New(env, -EINVAL);
  if (Reporter(env) != nullptr) return Napi::Number::New(env, 0);
  auto* report = new Napi::ThreadSafeFunction(
      Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "meshgate-tunnel-relay", 0, 1));
  // Open tunnels do not by themselves keep the process alive, as sockets that are not reading do not.
  report->Unref(env);
  env.SetInstanceData(report);
  return Napi::Number::New(env, 0);
}

// dial(ip, port, timeoutMs[, clientFd, toClient, idleTimeoutMs]) -> dial id (> 0), or -errno. The outcome
// is reported with kind kDialed. With clientFd (a connection this thread accepted, given over), the dial is
// armed: on connect the relay starts at once under the same id, `toClient` first; a failed connect gives
// the client back (still open); an abort closes it and reports ECANCELED.
Napi::Value DialUpstream(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::ThreadSafeFunction* report = Reporter(env);
  if (report == nullptr || info.Length() < 3 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsNumber())
    return Napi::Number::New(env, -EINVAL);
  auto dial = std::make_shared<Dial>();
  if (!SocketAddress(info[0], info[1], dial->address, dial->addressLength)) return Napi::Number::New(env, -EINVAL);
  dial->id = nextId.fetch_add(1);
  dial->timeoutMs = info[2].As<Napi::Number>().Int64Value();
  if (info.Length() >= 6 && info[3].IsNumber() && info[5].IsNumber()) {
    dial->armedClient = info[3].As<Napi::Number>().Int32Value();
    dial->toClient = Bytes(info[4]);
    dial->idleMs = info[5].As<Napi::Number>().Int64Value();
  }
  dial->report = *report;
  uint32_t id = dial->id;
  int error = Relayer::Get().Dial(std::move(dial));
  return Napi::Number::New(env, error != 0 ? error : static_cast<int64_t>(id));
}

// start(clientFd, upstream, toClient, toUpstream, idleTimeoutMs, dialled, owned) -> relay id (> 0), or -errno
// when the relay could not start. `upstream` is JavaScript's socket fd, or with `dialled` a dial id whose
// connection was reported. With `owned`, clientFd is a connection this thread accepted and JavaScript never
// wrapped: the relay takes it over as it is (no duplicate) and closes it at the end.
Napi::Value Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::ThreadSafeFunction* report = Reporter(env);
  if (report == nullptr || info.Length() < 6 || !info[0].IsNumber() || !info[1].IsNumber() || !info[4].IsNumber())
    return Napi::Number::New(env, -EINVAL);
  auto relay = std::make_shared<Relay>();
  relay->id = nextId.fetch_add(1);
  relay->idleMs = info[4].As<Napi::Number>().Int64Value();
  bool dialled = info[5].ToBoolean().Value();
  bool owned = info.Length() >= 7 && info[6].ToBoolean().Value();
  int clientFd = info[0].As<Napi::Number>().Int32Value();
  relay->client = owned ? clientFd : fcntl(clientFd, F_DUPFD_CLOEXEC, 0);
  relay->owned = owned;
  if (dialled) {
    relay->dialId = info[1].As<Napi::Number>().Uint32Value();
  } else {
    relay->upstream = fcntl(info[1].As<Napi::Number>().Int32Value(), F_DUPFD_CLOEXEC, 0);
  }
  if (relay->client < 0 || (!dialled && relay->upstream < 0)) {
    int error = errno;
    if (!owned) CloseIfOpen(relay->client);
    CloseIfOpen(relay->upstream);
    return Napi::Number::New(env, -error);
  }
  relay->up.from = relay->client;
  relay->up.to = relay->upstream;
  relay->up.pending = Bytes(info[3]);
  relay->down.from = relay->upstream;
  relay->down.to = relay->client;
  relay->down.pending = Bytes(info[2]);
  relay->report = *report;
  uint32_t id = relay->id;
  int error = Relayer::Get().Start(std::move(relay));
  return Napi::Number::New(env, error != 0 ? error : static_cast<int64_t>(id));
}

// listen(ip, port, backlog, captureCheck, callback) -> [id, address, port], or -errno. The relay thread
// accepts its connections and reports each as callback(kind, fd, peerAddress, peerPort, head): kAdopt for a
// bare descriptor, kConnectHead with the CONNECT head's bytes (still unread in the socket), and kStopped last.
Napi::Value Listen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int error = Relayer::Get().StartError();
  if (error != 0) return Napi::Number::New(env, error);
  if (info.Length() < 5 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsNumber() || !info[4].IsFunction())
    return Napi::Number::New(env, -EINVAL);
  sockaddr_storage address{};
  socklen_t length = 0;
  if (!SocketAddress(info[0], info[1], address, length)) return Napi::Number::New(env, -EINVAL);
  const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
  int fd = socket(address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Napi::Number::New(env, -errno);
  int one = 1;
  int zero = 0;
  // As Node listens: the port is reusable at once after a restart, and "::" takes IPv4 as well.
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  // Accepted connections inherit it: one system call per listener rather than per connection.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (address.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr))
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
      listen(fd, info[2].As<Napi::Number>().Int32Value()) != 0) {
    error = errno;
    close(fd);
    return Napi::Number::New(env, -error);
  }
  sockaddr_storage bound{};
  socklen_t boundLength = sizeof(bound);
  char text[INET6_ADDRSTRLEN] = {0};
  int boundPort = 0;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &boundLength);
  Describe(bound, text, boundPort);
  auto listener = std::make_shared<Listener>();
  listener->id = nextId.fetch_add(1);
  listener->fd = fd;
  listener->captureCheck = info[3].ToBoolean().Value();
  // Referenced, as a listening server is: the process stays up while it accepts.
  listener->report = Napi::ThreadSafeFunction::New(env, info[4].As<Napi::Function>(), "meshgate-listener", 0, 1);
  uint32_t id = listener->id;
  error = Relayer::Get().Listen(std::move(listener));
  if (error != 0) return Napi::Number::New(env, error);
  Napi::Array result = Napi::Array::New(env, 3);
  result.Set(0u, Napi::Number::New(env, id));
  result.Set(1u, Napi::String::New(env, text));
  result.Set(2u, Napi::Number::New(env, boundPort));
  return result;
}

Napi::Value StopListening(const Napi::CallbackInfo& info) {
  if (info.Length() >= 1 && info[0].IsNumber()) Relayer::Get().StopListening(info[0].As<Napi::Number>().Uint32Value());
  return info.Env().Undefined();
}

// discard(fd, length) -> bytes taken off the socket (a CONNECT head already read by peeking), or -errno.
Napi::Value Discard(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsNumber() || !info[1].IsNumber()) return Napi::Number::New(env, -EINVAL);
  int fd = info[0].As<Napi::Number>().Int32Value();
  size_t wanted = std::min<size_t>(info[1].As<Napi::Number>().Uint32Value(), kSniffBytes);
  char bytes[kSniffBytes];
  ssize_t n;
  do {
    n = recv(fd, bytes, wanted, MSG_DONTWAIT);
  } while (n < 0 && errno == EINTR);
  return Napi::Number::New(env, n < 0 ? -errno : n);
}

// unwatch(fd): an accepted connection reported with its CONNECT head becomes JavaScript's to read.
Napi::Value Unwatch(const Napi::CallbackInfo& info) {
  if (info.Length() >= 1 && info[0].IsNumber()) Relayer::Get().Unwatch(info[0].As<Napi::Number>().Int32Value());
  return info.Env().Undefined();
}

// closeFd(fd): closes an accepted connection JavaScript never wrapped in a socket.
Napi::Value CloseFd(const Napi::CallbackInfo& info) {
  if (info.Length() >= 1 && info[0].IsNumber()) {
    int fd = info[0].As<Napi::Number>().Int32Value();
    if (fd >= 0) close(fd);
  }
  return info.Env().Undefined();
}

Napi::Value Abort(const Napi::CallbackInfo& info) {
  if (info.Length() >= 1 && info[0].IsNumber()) Relayer::Get().Abort(info[0].As<Napi::Number>().Uint32Value());
  return info.Env().Undefined();
}

// bytes(id) -> [toUpstream, toClient] moved so far (final once it ended), or undefined once JavaScript
// has been told of the end.
Napi::Value LiveBytes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  uint64_t toUpstream = 0;
  uint64_t toClient = 0;
  if (info.Length() < 1 || !info[0].IsNumber() ||
      !Relayer::Get().Bytes(info[0].As<Napi::Number>().Uint32Value(), toUpstream, toClient))
    return env.Undefined();
  Napi::Array result = Napi::Array::New(env, 2);
  result.Set(0u, Napi::Number::New(env, static_cast<double>(toUpstream)));
  result.Set(1u, Napi::Number::New(env, static_cast<double>(toClient)));
  return result;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("onReport", Napi::Function::New(env, OnReport, "onReport"));
  exports.Set("dial", Napi::Function::New(env, DialUpstream, "dial"));
  exports.Set("start", Napi::Function::New(env, Start, "start"));
  exports.Set("abort", Napi::Function::New(env, Abort, "abort"));
  exports.Set("listen", Napi::Function::New(env, Listen, "listen"));
  exports.Set("stopListening", Napi::Function::New(env, StopListening, "stopListening"));
  exports.Set("discard", Napi::Function::New(env, Discard, "discard"));
  exports.Set("closeFd", Napi::Function::New(env, CloseFd, "closeFd"));
  exports.Set("unwatch", Napi::Function::New(env, Unwatch, "unwatch"));
  exports.Set("bytes", Napi::Function::New(env, LiveBytes, "bytes"));
  return exports;
}

}  // namespace

NODE_API_MODULE(tunnel_relay, Init)
