// Opens a tunnel's upstream connection and moves the tunnel's bytes between its two sockets inside the
// kernel: splice(2) through one pipe per direction, driven by a single background epoll thread shared by
// every tunnel. Once a CONNECT or captured tunnel is up, its traffic costs the JavaScript thread nothing
// per chunk; JavaScript hears once when a dial completes, and once when a tunnel ends, why it ended and
// how many bytes went each way.
//
// Ownership: JavaScript keeps its client sockets (and an upstream socket it opened itself). The relay
// works on duplicates of their descriptors and closes those itself when the tunnel ends, so a socket
// JavaScript destroys early can never have its descriptor number reused under the relay; JavaScript
// aborts the relay when it closes a socket. An upstream the relay dialled is the relay's alone.
#include <napi.h>

#include <arpa/inet.h>
#include <fcntl.h>
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

namespace {

// Why a relay ended; the numbers are part of the JavaScript contract (kernel-relay.ts).
enum EndReason { kClosed = 0, kIdle = 1, kAborted = 2, kFailed = 3 };

// Bytes a pipe takes per splice; the kernel's default pipe holds 64 KiB.
constexpr size_t kChunk = 64 * 1024;
// Empty pipes kept for reuse, at most.
constexpr size_t kSparePipes = 256;
// The eventfd's epoll tag; the others are (id << 2) | slot with id >= 1, so they never collide with it.
constexpr uint64_t kWakeTag = 0;
enum Slot : uint64_t { kClientSlot = 0, kUpstreamSlot = 1, kDialSlot = 2 };

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
};

// Runs on the JavaScript thread: hands one report to the callback registered with onReport().
void Deliver(Napi::Env env, Napi::Function callback, Report* report);

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
    return !dialed_.empty() || !added_.empty() || !aborted_.empty();
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
        if ((tag & 3) == kDialSlot) {
          auto dial = dials_.find(id);
          if (dial != dials_.end() && !dial->second->connected) {
            std::shared_ptr<struct Dial> held = dial->second;  // Connected() may erase the map's reference
            Connected(held);
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
        Step(*relay);
      }
      if (now_ >= nextIdleCheck_) CheckIdle();
    }
  }

  void TakeCommands() {
    std::vector<std::shared_ptr<struct Dial>> dialed;
    std::vector<std::shared_ptr<Relay>> added;
    std::vector<uint32_t> aborted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      dialed.swap(dialed_);
      added.swap(added_);
      aborted.swap(aborted_);
    }
    for (auto& dial : dialed) BeginDial(dial);
    for (auto& relay : added) {
      relay->lastActive = now_;
      live_[relay->id] = relay;
      int error = relay->dialId != 0 ? TakeDialed(*relay) : 0;
      if (error == 0) error = TakePipe(relay->up);
      if (error == 0) error = TakePipe(relay->down);
      if (error != 0) {
        End(*relay, kFailed, error);
        continue;
      }
      for (int side = 0; side < 2; side++) {
        epoll_event event{};
        event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
        event.data.u64 = Tag(relay->id, side == 0 ? kClientSlot : kUpstreamSlot);
        // A dialled upstream is registered already (as its dial); it only changes tag and events.
        int op = side == 1 && relay->dialId != 0 ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        if (epoll_ctl(epoll_, op, side == 0 ? relay->client : relay->upstream, &event) != 0) {
          End(*relay, kFailed, errno);
          break;
        }
      }
      if (live_.count(relay->id) == 0) continue;
      if (relay->idleMs > 0) nextIdleCheck_ = std::min(nextIdleCheck_, now_ + relay->idleMs);
      Step(*relay);
    }
    for (uint32_t id : aborted) {
      auto it = live_.find(id);
      if (it != live_.end()) End(*it->second, kAborted, 0);
      auto dial = dials_.find(id);
      if (dial != dials_.end()) Drop(*dial->second);
    }
  }

  // Starts a non-blocking connect; even on loopback its handshake is work the JavaScript thread is spared.
  void BeginDial(const std::shared_ptr<struct Dial>& dial) {
    dials_[dial->id] = dial;
    dial->fd = socket(dial->address.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (dial->fd < 0) return Failed(*dial, errno);
    int one = 1;
    setsockopt(dial->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(dial->fd, reinterpret_cast<sockaddr*>(&dial->address), dial->addressLength) == 0)
      return Connected(dial);
    if (errno != EINPROGRESS) return Failed(*dial, errno);
    epoll_event event{};
    event.events = EPOLLOUT | EPOLLET;
    event.data.u64 = Tag(dial->id, kDialSlot);
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, dial->fd, &event) != 0) return Failed(*dial, errno);
    dial->deadline = now_ + dial->timeoutMs;
    nextIdleCheck_ = std::min(nextIdleCheck_, dial->deadline);
  }

  // The connect finished, one way or the other.
  void Connected(const std::shared_ptr<struct Dial>& dial) {
    int error = 0;
    socklen_t length = sizeof(error);
    if (getsockopt(dial->fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
    // Stays registered (events with a connected dial's tag are ignored) until a relay changes it.
    if (error != 0) return Failed(*dial, error);
    dial->connected = true;
    auto* report = new Report{kDialed, dial->id, 0, 0, 0, 0, {0}, 0};
    sockaddr_storage local{};
    socklen_t localLength = sizeof(local);
    if (getsockname(dial->fd, reinterpret_cast<sockaddr*>(&local), &localLength) == 0) {
      if (local.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&local);
        inet_ntop(AF_INET, &v4->sin_addr, report->localAddress, sizeof(report->localAddress));
        report->localPort = ntohs(v4->sin_port);
      } else if (local.ss_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&local);
        inet_ntop(AF_INET6, &v6->sin6_addr, report->localAddress, sizeof(report->localAddress));
        report->localPort = ntohs(v6->sin6_port);
      }
    }
    Send(dial->report, report);
  }

  void Failed(struct Dial& dial, int error) {
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

  void Step(Relay& relay) {
    bool moved = false;
    int error = Pump(relay.up, moved);
    if (error == 0) error = Pump(relay.down, moved);
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
    nextIdleCheck_ = next;
    for (auto& relay : idle) End(*relay, kIdle, 0);
    for (auto& dial : late) Failed(*dial, ETIMEDOUT);
  }

  void End(Relay& relay, EndReason reason, int error) {
    // The caller's reference may be the map's: hold the relay until this function is done with it.
    auto found = live_.find(relay.id);
    std::shared_ptr<Relay> keep = found != live_.end() ? found->second : nullptr;
    // Duplicates leave the epoll set only when every descriptor of their socket is closed, and JavaScript
    // still holds its own; a dialled upstream leaves with its close.
    epoll_ctl(epoll_, EPOLL_CTL_DEL, relay.client, nullptr);
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
  std::unordered_map<uint32_t, std::shared_ptr<Relay>> byId_;
  // Touched by the relay thread only.
  std::unordered_map<uint32_t, std::shared_ptr<Relay>> live_;
  std::unordered_map<uint32_t, std::shared_ptr<struct Dial>> dials_;
  std::vector<std::pair<int, int>> spare_;
  int64_t nextIdleCheck_ = INT64_MAX;
  int64_t now_ = 0;
};

std::atomic<uint32_t> nextId{1};

void Deliver(Napi::Env env, Napi::Function callback, Report* report) {
  if (report->kind == kRelayEnded) Relayer::Get().Forget(report->id);
  callback.Call({Napi::Number::New(env, report->kind), Napi::Number::New(env, report->id),
                 Napi::Number::New(env, report->reason), Napi::Number::New(env, report->error),
                 Napi::Number::New(env, report->toUpstream), Napi::Number::New(env, report->toClient),
                 Napi::String::New(env, report->localAddress), Napi::Number::New(env, report->localPort)});
  delete report;
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

// dial(ip, port, timeoutMs) -> dial id (> 0), or -errno. The outcome is reported with kind kDialed.
Napi::Value DialUpstream(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::ThreadSafeFunction* report = Reporter(env);
  if (report == nullptr || info.Length() < 3 || !info[0].IsString() || !info[1].IsNumber() || !info[2].IsNumber())
    return Napi::Number::New(env, -EINVAL);
  auto dial = std::make_shared<Dial>();
  std::string ip = info[0].As<Napi::String>().Utf8Value();
  uint16_t port = static_cast<uint16_t>(info[1].As<Napi::Number>().Uint32Value());
  auto* v4 = reinterpret_cast<sockaddr_in*>(&dial->address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&dial->address);
  if (inet_pton(AF_INET, ip.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    dial->addressLength = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    dial->addressLength = sizeof(sockaddr_in6);
  } else {
    return Napi::Number::New(env, -EINVAL);
  }
  dial->id = nextId.fetch_add(1);
  dial->timeoutMs = info[2].As<Napi::Number>().Int64Value();
  dial->report = *report;
  uint32_t id = dial->id;
  int error = Relayer::Get().Dial(std::move(dial));
  return Napi::Number::New(env, error != 0 ? error : static_cast<int64_t>(id));
}

// start(clientFd, upstream, toClient, toUpstream, idleTimeoutMs, dialled) -> relay id (> 0), or -errno
// when the relay could not start. `upstream` is JavaScript's socket fd, or with `dialled` a dial id whose
// connection was reported.
Napi::Value Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::ThreadSafeFunction* report = Reporter(env);
  if (report == nullptr || info.Length() < 6 || !info[0].IsNumber() || !info[1].IsNumber() || !info[4].IsNumber())
    return Napi::Number::New(env, -EINVAL);
  auto relay = std::make_shared<Relay>();
  relay->id = nextId.fetch_add(1);
  relay->idleMs = info[4].As<Napi::Number>().Int64Value();
  bool dialled = info[5].ToBoolean().Value();
  relay->client = fcntl(info[0].As<Napi::Number>().Int32Value(), F_DUPFD_CLOEXEC, 0);
  if (dialled) {
    relay->dialId = info[1].As<Napi::Number>().Uint32Value();
  } else {
    relay->upstream = fcntl(info[1].As<Napi::Number>().Int32Value(), F_DUPFD_CLOEXEC, 0);
  }
  if (relay->client < 0 || (!dialled && relay->upstream < 0)) {
    int error = errno;
    CloseIfOpen(relay->client);
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
  exports.Set("bytes", Napi::Function::New(env, LiveBytes, "bytes"));
  return exports;
}

}  // namespace

NODE_API_MODULE(tunnel_relay, Init)
