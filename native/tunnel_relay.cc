// Moves an established tunnel's bytes between its two sockets inside the kernel: splice(2) through one
// pipe per direction, driven by a single background epoll thread shared by every tunnel. Once a CONNECT
// or captured tunnel is up, its traffic costs the JavaScript thread nothing per chunk; JavaScript hears
// once, when the tunnel ends, why it ended and how many bytes went each way.
//
// Ownership: JavaScript keeps its sockets. The relay works on duplicates of their descriptors and closes
// those itself when the tunnel ends, so a socket JavaScript destroys early can never have its descriptor
// number reused under the relay; JavaScript aborts the relay when it closes a socket.
#include <napi.h>

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
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
// The eventfd's epoll tag; relay tags are (id << 1) | side with id >= 1, so they never collide with it.
constexpr uint64_t kWakeTag = 0;

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

struct Completion {
  uint32_t id;
  int reason;
  int error;
  double toUpstream;
  double toClient;
};

struct Relay {
  uint32_t id = 0;
  int client = -1;
  int upstream = -1;
  Flow up;    // client -> upstream
  Flow down;  // upstream -> client
  int64_t idleMs = 0;
  int64_t lastActive = 0;
  Napi::ThreadSafeFunction done;
};

void CloseIfOpen(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

// Moves what it can without blocking; returns an errno when the flow broke, 0 otherwise.
int Pump(Flow& flow, bool& moved) {
  for (;;) {
    while (flow.pendingSent < flow.pending.size()) {
      ssize_t n = send(flow.to, flow.pending.data() + flow.pendingSent, flow.pending.size() - flow.pendingSent,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0) return errno == EAGAIN || errno == EINTR ? 0 : errno;
      flow.pendingSent += static_cast<size_t>(n);
      moved = true;
    }
    if (!flow.pending.empty()) std::string().swap(flow.pending);
    while (flow.inPipe > 0) {
      ssize_t n = splice(flow.pipeRead, nullptr, flow.to, nullptr, flow.inPipe, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n < 0) return errno == EAGAIN || errno == EINTR ? 0 : errno;
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
    return errno == EAGAIN || errno == EINTR ? 0 : errno;
  }
}

class Relayer {
 public:
  static Relayer& Get() {
    static Relayer* instance = new Relayer();  // lives as long as the process; its thread never joins
    return *instance;
  }

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
    std::thread([this] { Loop(); }).detach();
  }

  void Wake() {
    uint64_t one = 1;
    ssize_t ignored = write(wake_, &one, sizeof(one));
    (void)ignored;
  }

  void Loop() {
    std::vector<epoll_event> events(256);
    for (;;) {
      int64_t now = NowMs();
      int timeout = nextIdleCheck_ == INT64_MAX ? -1 : static_cast<int>(std::max<int64_t>(0, nextIdleCheck_ - now));
      int count = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), timeout);
      if (count < 0 && errno != EINTR) return;
      now_ = NowMs();
      for (int i = 0; i < count; i++) {
        uint64_t tag = events[i].data.u64;
        if (tag == kWakeTag) {
          TakeCommands();
          continue;
        }
        auto it = live_.find(static_cast<uint32_t>(tag >> 1));
        if (it == live_.end()) continue;  // ended earlier in this batch
        std::shared_ptr<Relay> relay = it->second;
        if (events[i].events & EPOLLERR) {
          int fd = (tag & 1) == 0 ? relay->client : relay->upstream;
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
    uint64_t counter;
    ssize_t ignored = read(wake_, &counter, sizeof(counter));
    (void)ignored;
    std::vector<std::shared_ptr<Relay>> added;
    std::vector<uint32_t> aborted;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      added.swap(added_);
      aborted.swap(aborted_);
    }
    for (auto& relay : added) {
      relay->lastActive = now_;
      live_[relay->id] = relay;
      int error = TakePipe(relay->up);
      if (error == 0) error = TakePipe(relay->down);
      if (error != 0) {
        End(*relay, kFailed, error);
        continue;
      }
      for (int side = 0; side < 2; side++) {
        epoll_event event{};
        event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
        event.data.u64 = (static_cast<uint64_t>(relay->id) << 1) | static_cast<uint64_t>(side);
        if (epoll_ctl(epoll_, EPOLL_CTL_ADD, side == 0 ? relay->client : relay->upstream, &event) != 0) {
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

  // Runs only when the earliest idle deadline is due; activity only ever moves deadlines later.
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
    nextIdleCheck_ = next;
    for (auto& relay : idle) End(*relay, kIdle, 0);
  }

  void End(Relay& relay, EndReason reason, int error) {
    // The caller's reference may be the map's: hold the relay until this function is done with it.
    auto found = live_.find(relay.id);
    std::shared_ptr<Relay> keep = found != live_.end() ? found->second : nullptr;
    epoll_ctl(epoll_, EPOLL_CTL_DEL, relay.client, nullptr);
    epoll_ctl(epoll_, EPOLL_CTL_DEL, relay.upstream, nullptr);
    live_.erase(relay.id);
    auto* completion = new Completion{relay.id, reason, error,
                                      static_cast<double>(relay.up.bytes.load(std::memory_order_relaxed)),
                                      static_cast<double>(relay.down.bytes.load(std::memory_order_relaxed))};
    CloseIfOpen(relay.client);
    CloseIfOpen(relay.upstream);
    GiveBackPipe(relay.up);
    GiveBackPipe(relay.down);
    // The final counts stay readable (bytes()) until JavaScript has heard of the end.
    napi_status status = relay.done.NonBlockingCall(completion, [](Napi::Env env, Napi::Function callback,
                                                                   Completion* ended) {
      Relayer::Get().Forget(ended->id);
      callback.Call({Napi::Number::New(env, ended->id), Napi::Number::New(env, ended->reason),
                     Napi::Number::New(env, ended->error), Napi::Number::New(env, ended->toUpstream),
                     Napi::Number::New(env, ended->toClient)});
      delete ended;
    });
    if (status != napi_ok) {
      Forget(completion->id);
      delete completion;
    }
  }

  int epoll_ = -1;
  int wake_ = -1;
  int startError_ = 0;
  std::mutex mutex_;
  std::vector<std::shared_ptr<Relay>> added_;
  std::vector<uint32_t> aborted_;
  std::unordered_map<uint32_t, std::shared_ptr<Relay>> byId_;
  // Touched by the relay thread only.
  std::unordered_map<uint32_t, std::shared_ptr<Relay>> live_;
  std::vector<std::pair<int, int>> spare_;
  int64_t nextIdleCheck_ = INT64_MAX;
  int64_t now_ = 0;
};

std::atomic<uint32_t> nextId{1};

std::string Bytes(const Napi::Value& value) {
  if (!value.IsBuffer()) return std::string();
  auto buffer = value.As<Napi::Buffer<char>>();
  return std::string(buffer.Data(), buffer.Length());
}

// onEnd(callback): every relay of this JavaScript environment reports its end to `callback(id, reason,
// errno, toUpstream, toClient)`. One thread-safe function per environment: creating one per tunnel would
// cost a libuv async handle each.
Napi::Value OnEnd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) return env.Undefined();
  auto* previous = env.GetInstanceData<Napi::ThreadSafeFunction>();
  if (previous != nullptr) return env.Undefined();
  auto* ended = new Napi::ThreadSafeFunction(
      Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "meshgate-tunnel-relay", 0, 1));
  // Open tunnels do not by themselves keep the process alive, as sockets that are not reading do not.
  ended->Unref(env);
  env.SetInstanceData(ended);
  return env.Undefined();
}

// start(clientFd, upstreamFd, toClient, toUpstream, idleTimeoutMs) -> relay id (> 0), or -errno when the
// relay could not start (JavaScript then relays the tunnel itself). onEnd must have been called.
Napi::Value Start(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* ended = env.GetInstanceData<Napi::ThreadSafeFunction>();
  if (ended == nullptr || info.Length() < 5 || !info[0].IsNumber() || !info[1].IsNumber() || !info[4].IsNumber())
    return Napi::Number::New(env, -EINVAL);
  auto relay = std::make_shared<Relay>();
  relay->id = nextId.fetch_add(1);
  relay->idleMs = info[4].As<Napi::Number>().Int64Value();
  relay->client = fcntl(info[0].As<Napi::Number>().Int32Value(), F_DUPFD_CLOEXEC, 0);
  relay->upstream = fcntl(info[1].As<Napi::Number>().Int32Value(), F_DUPFD_CLOEXEC, 0);
  if (relay->client < 0 || relay->upstream < 0) {
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
  relay->done = *ended;
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
  exports.Set("onEnd", Napi::Function::New(env, OnEnd, "onEnd"));
  exports.Set("start", Napi::Function::New(env, Start, "start"));
  exports.Set("abort", Napi::Function::New(env, Abort, "abort"));
  exports.Set("bytes", Napi::Function::New(env, LiveBytes, "bytes"));
  return exports;
}

}  // namespace

NODE_API_MODULE(tunnel_relay, Init)
