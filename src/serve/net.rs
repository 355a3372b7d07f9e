//! The connections of `portal serve`. One thread waits on every socket at
//! once (mio: epoll, kqueue, or IOCP on Windows) and does all reading and
//! writing, without blocking; a fixed pool of workers turns request heads
//! into answers. A connection waiting for its next request costs a socket and
//! a few hundred bytes, not a thread; there are never more threads than the
//! pool, whatever the clients do.
//!
//! Each answer is written with one write (its head and body in one buffer), so
//! no part of it waits for the client's acknowledgement of another (Nagle's
//! algorithm against delayed ACKs); `TCP_NODELAY` is set besides, for answers
//! larger than the socket's buffer.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Write};
use std::net::Shutdown;
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};

use super::http::{self, Answer, Head, Parsed};

/// The limits of the server; see docs/serve.md.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// A connection on which nothing moves for this long is closed; a request
    /// head that takes longer to arrive gets a 408.
    pub idle_timeout: Duration,
    /// Connections held at once. At the limit, the connection idle the longest
    /// is closed to make room; when none is idle, the new one gets a 503.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { idle_timeout: Duration::from_secs(30), max_connections: 4096 }
    }
}

/// Threads that produce answers; the pages are made on demand, on every core.
const WORKERS: usize = 4;
/// An idle event stream sends a comment this often, to find closed tabs.
const HEARTBEAT: Duration = Duration::from_secs(15);
/// After the last answer on a connection, how long unread input is drained, so
/// that closing does not reset the connection before the client has read it.
const LINGER: Duration = Duration::from_secs(2);
/// Input kept unparsed on a busy connection (pipelined requests), at most.
const MAX_BUFFERED: usize = http::MAX_HEAD + http::MAX_LINE;
/// Connections beyond the limit answered with a 503 at once; any more are closed unanswered.
const MAX_REFUSING: usize = 64;
/// Output queued on an event stream whose tab does not read, at most.
const MAX_STREAM_BACKLOG: usize = 64 * 1024;

const LISTENER: Token = Token(usize::MAX - 1);
const WAKE: Token = Token(usize::MAX - 2);

/// What the server serves.
pub(super) trait Service: Send + Sync + 'static {
    /// The answer to one request.
    fn answer(&self, head: &Head) -> Reply;
    /// The current build; an event stream is sent [`Service::event`] when it changes.
    fn generation(&self) -> u64;
    /// The message an event stream gets for a new build.
    fn event(&self, generation: u64) -> Vec<u8>;
}

pub(super) enum Reply {
    Answer(Answer),
    /// The connection becomes an event stream: `head` (the response head and
    /// the first message) for build `generation`, then [`Service::event`]s.
    Stream {
        head: Vec<u8>,
        generation: u64,
    },
}

/// Starts the server on `listener`: its thread and the workers. The returned
/// waker is to be woken after each new build, for the event streams.
pub(super) fn start(
    listener: std::net::TcpListener,
    limits: Limits,
    service: Arc<dyn Service>,
) -> io::Result<Arc<Waker>> {
    listener.set_nonblocking(true)?;
    let mut listener = TcpListener::from_std(listener);
    let poll = Poll::new()?;
    poll.registry().register(&mut listener, LISTENER, Interest::READABLE)?;
    let waker = Arc::new(Waker::new(poll.registry(), WAKE)?);
    raise_file_limit(limits.max_connections);

    let jobs = Arc::new(Jobs::default());
    let (done_tx, done) = mpsc::channel();
    for _ in 0..WORKERS {
        let (jobs, service, done_tx, waker) =
            (Arc::clone(&jobs), Arc::clone(&service), done_tx.clone(), Arc::clone(&waker));
        let keep = limits.idle_timeout.as_secs().max(1);
        thread::Builder::new().name("portal-serve-worker".to_owned()).spawn(move || {
            while let Some(job) = jobs.take() {
                // A bug in making one answer costs that answer, not a worker.
                let reply = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| service.answer(&job.head)))
                    .unwrap_or_else(|_| Reply::Answer(Answer::text(500, "生成此页面时出现内部错误")));
                let output = match reply {
                    Reply::Answer(answer) => {
                        let head_only = job.head.method == "HEAD";
                        let bytes = answer.to_bytes(job.head.http11, head_only, job.keep.then_some(keep));
                        Output::Answer { bytes, close: !job.keep }
                    }
                    Reply::Stream { head, generation } => Output::Stream { head, generation },
                };
                if done_tx.send((job.id, output)).is_err() {
                    return;
                }
                // The server thread is gone only with the process.
                let _ = waker.wake();
            }
        })?;
    }
    let mut server =
        Server { poll, listener, conns: HashMap::new(), next_id: 0, limits, jobs, done, service, paused: false };
    thread::Builder::new().name("portal-serve".to_owned()).spawn(move || server.run())?;
    Ok(waker)
}

struct Job {
    id: usize,
    head: Head,
    /// Whether the connection stays open after the answer.
    keep: bool,
}

enum Output {
    Answer { bytes: Vec<u8>, close: bool },
    Stream { head: Vec<u8>, generation: u64 },
}

/// The workers' queue: at most one job per connection, so bounded by the connections.
#[derive(Default)]
struct Jobs {
    queue: Mutex<VecDeque<Job>>,
    ready: Condvar,
}

impl Jobs {
    fn push(&self, job: Job) {
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).push_back(job);
        self.ready.notify_one();
    }

    fn take(&self) -> Option<Job> {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(job) = queue.pop_front() {
                return Some(job);
            }
            queue = self.ready.wait(queue).unwrap_or_else(|p| p.into_inner());
        }
    }
}

#[derive(Debug, PartialEq)]
enum State {
    /// Waiting for (the rest of) a request head.
    Reading,
    /// A worker is answering its request.
    Busy,
    /// An event stream, last sent build `generation`; `beat` is when it was last sent anything.
    Stream { generation: u64, beat: Instant },
    /// The last answer is sent; unread input is discarded until the client closes, or `until`.
    Draining { until: Instant },
}

struct Conn {
    stream: TcpStream,
    state: State,
    input: Vec<u8>,
    output: Vec<u8>,
    /// How much of `output` has been written.
    sent: usize,
    /// Close once `output` is written.
    close: bool,
    /// The client has closed its side.
    eof: bool,
    /// The last time a byte moved either way.
    moved: Instant,
    /// When the first byte of the request head being read arrived.
    head_since: Option<Instant>,
}

impl Conn {
    fn idle(&self) -> bool {
        self.state == State::Reading && self.input.is_empty() && self.output.is_empty()
    }
}

struct Server {
    poll: Poll,
    listener: TcpListener,
    conns: HashMap<usize, Conn>,
    /// Ids are never reused, so a late answer cannot reach another connection.
    next_id: usize,
    limits: Limits,
    jobs: Arc<Jobs>,
    done: mpsc::Receiver<(usize, Output)>,
    service: Arc<dyn Service>,
    /// Accepting failed for lack of file descriptors: retried on the next tick.
    paused: bool,
}

impl Server {
    fn run(&mut self) {
        let mut events = Events::with_capacity(1024);
        let tick = (self.limits.idle_timeout / 4).clamp(Duration::from_millis(20), Duration::from_secs(1));
        let mut generation = self.service.generation();
        let mut last_tick = Instant::now();
        loop {
            if let Err(e) = self.poll.poll(&mut events, Some(tick)) {
                if e.kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return;
            }
            for event in &events {
                match event.token() {
                    LISTENER => self.accept(),
                    WAKE => {}
                    Token(id) => {
                        if event.is_readable() || event.is_read_closed() || event.is_error() {
                            self.read(id);
                        }
                        if event.is_writable() || event.is_write_closed() {
                            self.write(id);
                        }
                    }
                }
            }
            while let Ok((id, output)) = self.done.try_recv() {
                self.finished(id, output);
            }
            let now = self.service.generation();
            if now != generation {
                generation = now;
                self.broadcast(now);
            }
            if last_tick.elapsed() >= tick {
                last_tick = Instant::now();
                self.sweep();
                if self.paused {
                    self.paused = false;
                    self.accept();
                }
            }
        }
    }

    fn accept(&mut self) {
        loop {
            match self.listener.accept() {
                Ok((mut stream, _)) => {
                    let full = self.conns.len() >= self.limits.max_connections && !self.make_room();
                    if full && self.conns.len() >= self.limits.max_connections + MAX_REFUSING {
                        // Refusing that many already: this one is closed unanswered.
                        continue;
                    }
                    let id = self.next_id;
                    self.next_id += 1;
                    // Answers go out in one write; this is for those larger than the socket's buffer.
                    let _ = stream.set_nodelay(true);
                    let interest = Interest::READABLE | Interest::WRITABLE;
                    if self.poll.registry().register(&mut stream, Token(id), interest).is_err() {
                        continue;
                    }
                    self.conns.insert(
                        id,
                        Conn {
                            stream,
                            state: State::Reading,
                            input: Vec::new(),
                            output: Vec::new(),
                            sent: 0,
                            close: false,
                            eof: false,
                            moved: Instant::now(),
                            head_since: None,
                        },
                    );
                    if full {
                        // Every connection is answering or receiving a request. The refusal
                        // lingers like any last answer, so that the client reads it.
                        let answer = Answer::text(503, "连接数已达上限，请稍后重试").with("Retry-After", "1");
                        self.send(id, answer.to_bytes(true, false, None), true);
                    }
                    // Otherwise bytes that came with the connection are seen by its first read event.
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if matches!(e.kind(), io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted) => {}
                Err(_) => {
                    // Most likely out of file descriptors: close an idle connection, or wait for one to close.
                    if !self.make_room() {
                        self.paused = true;
                        return;
                    }
                }
            }
        }
    }

    /// Closes the connection idle the longest, if any is idle.
    fn make_room(&mut self) -> bool {
        let oldest = self.conns.iter().filter(|(_, c)| c.idle()).min_by_key(|(_, c)| c.moved).map(|(id, _)| *id);
        match oldest {
            Some(id) => {
                self.close(id);
                true
            }
            None => false,
        }
    }

    fn read(&mut self, id: usize) {
        let Some(conn) = self.conns.get_mut(&id) else { return };
        let mut buf = [0u8; 16 * 1024];
        loop {
            let draining = matches!(conn.state, State::Draining { .. } | State::Stream { .. });
            if !draining && conn.input.len() >= MAX_BUFFERED {
                // Left in the socket until the answer before is sent; `advance` reads on.
                break;
            }
            match conn.stream.read(&mut buf) {
                Ok(0) => {
                    conn.eof = true;
                    break;
                }
                Ok(n) => {
                    conn.moved = Instant::now();
                    if !draining {
                        conn.input.extend_from_slice(&buf[..n]);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    self.close(id);
                    return;
                }
            }
        }
        self.advance(id);
    }

    /// Moves a connection on after it read or wrote: the next request, or closing.
    fn advance(&mut self, id: usize) {
        let Some(conn) = self.conns.get_mut(&id) else { return };
        match conn.state {
            State::Reading if conn.output.is_empty() => {}
            State::Draining { .. } | State::Stream { .. } if conn.eof => return self.close(id),
            _ => return,
        }
        match http::parse(&conn.input) {
            Parsed::Partial => {
                if conn.eof {
                    return self.close(id);
                }
                if conn.input.is_empty() {
                    conn.head_since = None;
                    if conn.input.capacity() > 4096 {
                        conn.input = Vec::new();
                    }
                } else {
                    conn.head_since.get_or_insert_with(Instant::now);
                }
            }
            Parsed::Head(head, used) => {
                conn.input.drain(..used);
                conn.head_since = None;
                conn.state = State::Busy;
                let keep = head.keep_alive && !head.has_body && !conn.eof;
                self.jobs.push(Job { id, head, keep });
            }
            Parsed::Malformed(why) => {
                let answer = Answer::text(why.status(), why.text());
                conn.input = Vec::new();
                self.send(id, answer.to_bytes(true, false, None), true);
            }
        }
    }

    /// Queues `bytes` on a connection and writes what the socket takes.
    fn send(&mut self, id: usize, bytes: Vec<u8>, close: bool) {
        let Some(conn) = self.conns.get_mut(&id) else { return };
        if conn.output.is_empty() {
            conn.output = bytes;
            conn.sent = 0;
        } else {
            conn.output.extend_from_slice(&bytes);
        }
        conn.close |= close;
        self.write(id);
    }

    fn write(&mut self, id: usize) {
        let Some(conn) = self.conns.get_mut(&id) else { return };
        while conn.sent < conn.output.len() {
            match conn.stream.write(&conn.output[conn.sent..]) {
                Ok(0) => return self.close(id),
                Ok(n) => {
                    conn.sent += n;
                    conn.moved = Instant::now();
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return self.close(id),
            }
        }
        if conn.output.is_empty() {
            return;
        }
        // Sent whole: the buffer goes, so that idle connections hold no memory.
        conn.output = Vec::new();
        conn.sent = 0;
        if conn.close {
            let _ = conn.stream.shutdown(Shutdown::Write);
            conn.state = State::Draining { until: Instant::now() + LINGER };
            conn.input = Vec::new();
            // Input may be waiting: read it (and see the client's end) now.
            return self.read(id);
        }
        if conn.state == State::Reading {
            // A pipelined request may be waiting in the input, or in the socket.
            self.read(id);
        }
    }

    fn finished(&mut self, id: usize, output: Output) {
        let Some(conn) = self.conns.get_mut(&id) else { return };
        match output {
            Output::Answer { bytes, close } => {
                conn.state = State::Reading;
                self.send(id, bytes, close);
            }
            Output::Stream { head, generation } => {
                conn.state = State::Stream { generation, beat: Instant::now() };
                conn.input = Vec::new();
                self.send(id, head, false);
                // A build may have landed since the worker read the generation.
                let now = self.service.generation();
                if now != generation {
                    self.broadcast(now);
                }
            }
        }
    }

    /// Tells every event stream about build `generation`.
    fn broadcast(&mut self, generation: u64) {
        let message = self.service.event(generation);
        let streams: Vec<usize> = self
            .conns
            .iter_mut()
            .filter_map(|(id, c)| match &mut c.state {
                State::Stream { generation: seen, beat } if *seen != generation => {
                    *seen = generation;
                    *beat = Instant::now();
                    Some(*id)
                }
                _ => None,
            })
            .collect();
        for id in streams {
            self.send(id, message.clone(), false);
        }
    }

    /// Closes what has waited too long, and keeps event streams alive.
    fn sweep(&mut self) {
        let now = Instant::now();
        let idle = self.limits.idle_timeout;
        let mut close = Vec::new();
        let mut late_heads = Vec::new();
        let mut heartbeats = Vec::new();
        for (id, c) in &self.conns {
            let quiet = now.duration_since(c.moved);
            match c.state {
                State::Draining { until } if now >= until => close.push(*id),
                State::Stream { .. } if c.output.len() > MAX_STREAM_BACKLOG => close.push(*id),
                State::Stream { .. } if !c.output.is_empty() && quiet >= idle.max(HEARTBEAT) => close.push(*id),
                State::Stream { beat, .. } if now.duration_since(beat) >= HEARTBEAT => heartbeats.push(*id),
                State::Reading if !c.output.is_empty() && quiet >= idle => close.push(*id),
                State::Reading if c.head_since.is_some_and(|t| now.duration_since(t) >= idle) => late_heads.push(*id),
                State::Reading if c.idle() && quiet >= idle => close.push(*id),
                _ => {}
            }
        }
        for id in close {
            self.close(id);
        }
        for id in late_heads {
            let answer = Answer::text(408, "请求头未在时限内收完");
            self.send(id, answer.to_bytes(true, false, None), true);
        }
        for id in heartbeats {
            if let Some(Conn { state: State::Stream { beat, .. }, .. }) = self.conns.get_mut(&id) {
                *beat = now;
            }
            self.send(id, b": keep-alive\n\n".to_vec(), false);
        }
    }

    fn close(&mut self, id: usize) {
        if let Some(mut conn) = self.conns.remove(&id) {
            let _ = self.poll.registry().deregister(&mut conn.stream);
        }
        if self.paused {
            self.paused = false;
            self.accept();
        }
    }
}

/// Lets the process hold the connections the limit allows: the usual soft
/// limit of 1,024 open files is below it, the hard limit rarely.
#[cfg(target_os = "linux")]
fn raise_file_limit(connections: usize) {
    let want = libc::rlim_t::try_from(connections).unwrap_or(libc::rlim_t::MAX).saturating_add(256);
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit writes into the struct we own; setrlimit reads it.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < want {
            limit.rlim_cur = want.min(limit.rlim_max);
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn raise_file_limit(_: usize) {}
