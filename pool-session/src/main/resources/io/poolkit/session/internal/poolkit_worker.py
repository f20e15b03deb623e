# The Python worker of a poolkit session (pool-session, DESIGN "More than Java").
#
#   python3 -I -B poolkit_worker.py SOCKET MODE ADDRESS_SPACE_BYTES    (the one-time token on stdin)
#
# Two processes, two trust levels:
# - the supervisor (this process as started) owns the host's AF_UNIX socket. It never runs snippet
#   code. It speaks the host's frame protocol, forks the evaluator, relays the evaluator's frames only
#   while an execution runs (anything else ends the worker), turns the evaluator's stdout and stderr
#   into OUTPUT frames within the execution's budget, says which processes and threads a snippet left
#   running, interrupts the evaluator (SIGINT) when the host says STOP, and on RESET kills every other
#   process of the sandbox, empties /tmp and forks a fresh evaluator. It passes on a RESULT only once
#   the kernel shows the evaluator back in its loop with nothing else running (Supervisor.await_idle).
# - the evaluator, forked from the supervisor and then a fresh interpreter (exec: nothing of the
#   supervisor's heap, which relays every execution's code, output and result, carries over into the
#   next tenant's evaluator), runs the snippets. It holds no descriptor of the socket, only two pipes to the supervisor and its stdout/stderr pipes; in
#   the sandbox a seccomp filter of its own refuses it every way to signal the supervisor or the
#   sandbox's init. The host treats the whole worker as hostile anyway.
#
# Uses nothing but the standard library: it runs from a read-only copy inside the sandbox.

import os
import sys
import struct
import select
import signal
import errno
import time

PROTOCOL_VERSION = 2
MAX_LENGTH = 1 << 20
HELLO, OUTPUT, TOOL_CALL, RESULT = 1, 2, 3, 4
EXECUTE, STOP, TOOL_RESULT, RESET, TOOLS = 10, 11, 12, 13, 14
OK, COMPILE_ERROR, EXCEPTION, STOPPED, FAILED = 0, 1, 2, 3, 5

MAX_VALUE_CHARS = 64 * 1024
MAX_TEXT_CHARS = 64 * 1024
OUTPUT_CHUNK = 16 * 1024
FREE_OUTPUT_FRAMES = 16
BYTES_PER_OUTPUT_FRAME = 256

EVAL_CTL = 3  # supervisor -> evaluator frames, in the evaluator
EVAL_MSG = 4  # evaluator -> supervisor frames, in the evaluator
EVAL_READY = 5  # closed by the evaluator right before its loop (it has its TOOLS): the supervisor then looks where it waits
HEADER = 5  # the evaluator's loop reads a frame's length and type first: read(EVAL_CTL, buf, 5)

# After the evaluator's RESULT the supervisor waits for the kernel's evidence that the execution has
# ended (see Supervisor.await_idle): up to IDLE_BOUND for the evaluator's main thread to be back in its
# loop's read, LEFTOVER_GRACE for threads and processes about to end, and it ends the worker as soon as
# the main thread has run SPIN_CPU_NS of CPU past its result (an honest loop needs microseconds).
IDLE_BOUND = 2.0
LEFTOVER_GRACE = 0.1
SPIN_CPU_NS = 100 * 1000 * 1000
# A reset in the sandbox sends SIGKILL to every other process until none is left; one still there after
# this many seconds ends the worker (Supervisor.kill_all).
KILL_ALL_SECONDS = 5
# Where the loop's read sits in the stack moves a little: the interpreter's specialised call paths make
# it shallower after a few executions (CPython 3.11: 0x50 bytes), the C library's multi-threaded path,
# taken for good once a snippet has started a thread, deeper (0x28). Anything a snippet runs is deeper
# by far more: its code runs inside exec(), a signal handler or a finaliser inside another evaluation
# (3.11: a read straight from the snippet's code 0x2b8 bytes deeper than the loop's, from a signal
# handler 0x538).
STACK_SLACK = 256


class ProtocolError(Exception):
    pass


# ---------------------------------------------------------------- the wire: frames and values

class Out:
    def __init__(self):
        self.b = bytearray()

    def byte(self, v):
        self.b.append(v & 0xff)
        return self

    def int(self, v):
        self.b += struct.pack('>i', v)
        return self

    def long(self, v):
        self.b += struct.pack('>q', v)
        return self

    def double(self, v):
        self.b += struct.pack('>d', v)
        return self

    def bytes(self, data):
        self.int(len(data))
        self.b += data
        return self

    def string(self, s):
        return self.bytes(s.encode('utf-8', 'replace'))


class In:
    def __init__(self, payload):
        self.p = payload
        self.pos = 0

    def need(self, n):
        if n < 0 or n > len(self.p) - self.pos:
            raise ProtocolError('truncated frame')

    def byte(self):
        self.need(1)
        v = self.p[self.pos]
        self.pos += 1
        return v

    def int(self):
        self.need(4)
        v = struct.unpack_from('>i', self.p, self.pos)[0]
        self.pos += 4
        return v

    def long(self):
        self.need(8)
        v = struct.unpack_from('>q', self.p, self.pos)[0]
        self.pos += 8
        return v

    def double(self):
        self.need(8)
        v = struct.unpack_from('>d', self.p, self.pos)[0]
        self.pos += 8
        return v

    def bytes(self, limit=MAX_LENGTH):
        n = self.int()
        if n < 0 or n > limit:
            raise ProtocolError('length %d out of bounds' % n)
        self.need(n)
        v = bytes(self.p[self.pos:self.pos + n])
        self.pos += n
        return v

    def string(self, limit=MAX_LENGTH):
        return self.bytes(limit).decode('utf-8', 'replace')

    def end(self):
        if self.pos != len(self.p):
            raise ProtocolError('%d trailing bytes' % (len(self.p) - self.pos))


def frame(type_, out):
    return struct.pack('>iB', len(out.b) + 1, type_) + bytes(out.b)


V_NULL, V_FALSE, V_TRUE, V_LONG, V_DOUBLE, V_STRING, V_LIST, V_MAP = range(8)
MAX_DEPTH = 32


def write_value(out, v, path='value', depth=0):
    if depth > MAX_DEPTH:
        raise TypeError('%s is nested more than %d levels deep' % (path, MAX_DEPTH))
    if v is None:
        out.byte(V_NULL)
    elif v is True or v is False:
        out.byte(V_TRUE if v else V_FALSE)
    elif isinstance(v, int):
        if -(1 << 63) <= v < (1 << 63):
            out.byte(V_LONG).long(v)
        else:
            out.byte(V_STRING).string(str(v))
    elif isinstance(v, float):
        out.byte(V_DOUBLE).double(v)
    elif isinstance(v, str):
        out.byte(V_STRING).string(v)
    elif isinstance(v, dict):
        out.byte(V_MAP).int(len(v))
        for k, item in v.items():
            if not isinstance(k, str):
                raise TypeError('%s is a dict with a key of type %s; keys must be strings' % (path, type(k).__name__))
            out.string(k)
            write_value(out, item, path + '.' + k, depth + 1)
    elif isinstance(v, (list, tuple)):
        out.byte(V_LIST).int(len(v))
        for i, item in enumerate(v):
            write_value(out, item, '%s[%d]' % (path, i), depth + 1)
    else:
        raise TypeError('%s is a %s, which cannot travel between the snippet and the host: use None, a bool, a number,'
                        ' a str, a list or a dict with str keys' % (path, type(v).__name__))


def read_value(inp, depth=0):
    if depth > MAX_DEPTH:
        raise ProtocolError('a value nested too deep')
    tag = inp.byte()
    if tag == V_NULL:
        return None
    if tag == V_FALSE:
        return False
    if tag == V_TRUE:
        return True
    if tag == V_LONG:
        return inp.long()
    if tag == V_DOUBLE:
        return inp.double()
    if tag == V_STRING:
        return inp.string()
    if tag == V_LIST:
        n = inp.int()
        if n < 0 or n > len(inp.p) - inp.pos:
            raise ProtocolError('list size %d' % n)
        return [read_value(inp, depth + 1) for _ in range(n)]
    if tag == V_MAP:
        n = inp.int()
        if n < 0 or n > (len(inp.p) - inp.pos) // 5:
            raise ProtocolError('map size %d' % n)
        m = {}
        for _ in range(n):
            k = inp.string()
            m[k] = read_value(inp, depth + 1)
        return m
    raise ProtocolError('unknown value tag %d' % tag)


def read_tools(inp):
    tools = []
    n = inp.int()
    if n < 0 or n > 10000:
        raise ProtocolError('tool count %d' % n)
    for _ in range(n):
        name = inp.string()
        description = inp.string()
        k = inp.int()
        if k < 0 or k > 1000:
            raise ProtocolError('parameter count %d' % k)
        tools.append((name, description, [inp.string() for _ in range(k)]))
    inp.end()
    return tools


class FrameReader:
    """Frames from a non-blocking descriptor, parsed as bytes arrive; a length out of bounds is a violation."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = bytearray()
        self.eof = False

    def fill(self):
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b''
        if not data:
            self.eof = True
        self.buf += data

    def drain(self):
        """Reads what the descriptor holds now, without waiting."""
        while not self.eof:
            n = len(self.buf)
            self.fill()
            if len(self.buf) == n:
                return

    def frames(self):
        while len(self.buf) >= 5:
            n = struct.unpack_from('>i', self.buf, 0)[0]
            if n < 1 or n > MAX_LENGTH:
                raise ProtocolError('frame length %d is outside 1..%d' % (n, MAX_LENGTH))
            if len(self.buf) < 4 + n:
                return
            t = self.buf[4]
            payload = bytes(self.buf[5:4 + n])
            del self.buf[:4 + n]
            yield t, payload


def write_all(fd, data):
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def read_exactly(fd, n):
    b = bytearray()
    while len(b) < n:
        chunk = os.read(fd, n - len(b))
        if not chunk:
            raise EOFError('the pipe closed')
        b += chunk
    return bytes(b)


def cut(text, limit):
    if text is None:
        return ''
    return text if len(text) <= limit else text[:limit - 20] + '... (cut)'


def diag(msg):
    try:
        os.write(2, ('poolkit python worker: %s\n' % msg).encode('utf-8', 'replace'))
    except OSError:
        pass


# ---------------------------------------------------------------- the supervisor

class Supervisor:
    def __init__(self, sock, sandboxed, address_space):
        self.sock = sock
        self.sandboxed = sandboxed
        self.address_space = address_space
        self.out = bytearray()  # to the host
        self.tools = None
        self.tools_frame = None  # the host's TOOLS frame, passed on to every evaluator first
        self.ev = None  # the evaluator: pid, pipes
        self.running = None  # the execution id while one runs
        self.host = FrameReader(sock.fileno())

    # -- the evaluator's lifetime

    def fork_evaluator(self):
        ctl_r, ctl_w = os.pipe()
        msg_r, msg_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            status = 70
            try:
                self.sock.detach()  # its descriptor is closed below; the object must not close a reused number later
                sup = os.getppid()
                sup_group = os.getpgid(sup)
                os.setsid()
                devnull = os.open('/dev/null', os.O_RDONLY)
                high = [fcntl_dup(fd) for fd in (ctl_r, msg_w, out_w, err_w, devnull, ready_w)]
                os.dup2(high[0], EVAL_CTL)
                os.dup2(high[1], EVAL_MSG)
                os.dup2(high[2], 1)
                os.dup2(high[3], 2)
                os.dup2(high[4], 0)
                os.dup2(high[5], EVAL_READY)
                os.closerange(EVAL_READY + 1, max_fd())
                if self.address_space > 0:
                    import resource
                    resource.setrlimit(resource.RLIMIT_AS, (self.address_space, self.address_space))
                if self.sandboxed:
                    refuse_signals_to({1, sup, sup_group})
                # a fresh interpreter: the supervisor's heap (freed buffers of earlier executions' frames) is gone
                os.execv(sys.executable, [sys.executable, '-I', '-B', os.path.abspath(sys.argv[0]), '--evaluator',
                                          'sandbox' if self.sandboxed else 'plain'])
            except BaseException as e:  # noqa: B036 - nothing may escape the child into the supervisor's code
                diag('the evaluator failed: %r' % (e,))
            os._exit(status)
        for fd in (ctl_r, msg_w, out_w, err_w, ready_w):
            os.close(fd)
        for fd in (ctl_w, msg_r, out_r, err_r):
            os.set_blocking(fd, False)
        self.ev = Evaluator(pid, ctl_w, msg_r, out_r, err_r, ready_r)
        self.ev.queue(self.tools_frame)

    def kill_all(self):
        """
        Every process but this one (and the sandbox's init) ends: the evaluator and all it started. In the
        sandbox, a process still there after 5 s of SIGKILL ends this worker (as the R worker does): it
        could watch or join the next caller, so the worker is never handed on without proof all are gone.
        """
        ev = self.ev
        self.ev = None
        victims = descendants(ev.pid) if ev is not None and not self.sandboxed else []
        if ev is not None:
            ev.close()
        if self.sandboxed:
            deadline = time.monotonic() + KILL_ALL_SECONDS
            while True:
                try:
                    os.kill(-1, signal.SIGKILL)  # in the sandbox's own pid namespace: all but this process and init
                except OSError:
                    pass
                reap()
                left = self.others()
                if not left:
                    break
                if time.monotonic() >= deadline:
                    diag('%d processes outlived %g s of SIGKILL: %s; this worker is not used again'
                         % (len(left), KILL_ALL_SECONDS, ' '.join(str(p) for p in left[:10])))
                    os._exit(4)
                time.sleep(0.005)
        elif ev is not None:  # unsandboxed: what the evaluator started, by its session's group and by parentage
            try:
                os.killpg(ev.pid, signal.SIGKILL)
            except OSError:
                pass
            for p in victims:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
        reap()
        if ev is not None:
            try:
                os.waitpid(ev.pid, 0)
            except ChildProcessError:
                pass

    def others(self):
        """Processes of the sandbox other than init, this one and the evaluator, zombies left out."""
        me = os.getpid()
        ev = self.ev.pid if self.ev else -1
        found = []
        for name in os.listdir('/proc'):
            if not name.isdigit():
                continue
            pid = int(name)
            if pid in (1, me, ev):
                continue
            state, _ = stat_of(pid)
            if alive(pid, state):
                found.append(pid)
        return found

    def wipe_tmp(self):
        """
        Empties /tmp, directories a snippet locked (mode 0) too; symlinks are not followed. Without
        recursion: a tree deeper than Python's recursion limit (1500 levels fit in PATH_MAX) must not
        end the supervisor at the reset. What cannot be removed (a path longer than PATH_MAX) stays.
        """
        if not self.sandboxed:
            return  # unsandboxed, /tmp is the host's
        import stat
        todo, dirs = ['/tmp'], []
        while todo:
            d = todo.pop()
            try:
                if d != '/tmp':
                    os.chmod(d, 0o700)  # a real directory: lstat said so, and nothing else runs now
                names = os.listdir(d)
            except OSError:
                continue
            for name in names:
                p = os.path.join(d, name)
                try:
                    if stat.S_ISDIR(os.lstat(p).st_mode):
                        dirs.append(p)
                        todo.append(p)
                    else:
                        os.unlink(p)
                except OSError:
                    pass
        for d in reversed(dirs):  # a directory after everything below it
            try:
                os.rmdir(d)
            except OSError:
                pass

    def leftovers(self):
        """Threads and processes the snippet left running, after a grace of 100 ms for those about to end (as the JVM worker)."""
        deadline = time.monotonic() + 0.1
        while True:
            found = self.running_leftovers()
            if not found or time.monotonic() >= deadline:
                return found
            reap()
            time.sleep(0.005)

    def running_leftovers(self):
        threads = 0
        if self.ev is not None:
            try:
                threads = len(os.listdir('/proc/%d/task' % self.ev.pid)) - 1
            except OSError:
                threads = 0
        pids = self.others() if self.sandboxed else (descendants(self.ev.pid) if self.ev else [])
        return describe_leftovers(threads, pids)

    # -- the main loop

    def loop(self):
        os.set_blocking(self.sock.fileno(), False)
        while True:
            ev = self.ev
            rd = [self.sock.fileno()]
            wr = [self.sock.fileno()] if self.out else []
            if ev is not None:
                rd += [fd for fd in (None if ev.msg.eof else ev.msg.fd, ev.out_r, ev.err_r) if fd is not None]
                if ev.pending:
                    wr.append(ev.ctl)
            r, w, _ = select.select(rd, wr, [], 0.05)
            if self.sock.fileno() in w:
                self.flush_host()
            if self.sock.fileno() in r:
                self.host.fill()
                for t, payload in self.host.frames():
                    self.from_host(t, payload)
                if self.host.eof:
                    self.kill_all()
                    os._exit(0)
            ev = self.ev
            if ev is None:
                continue
            if ev.ctl in w:
                ev.write_some()
            for fd, stream in ((ev.out_r, 1), (ev.err_r, 2)):
                if fd is not None and fd in r:
                    self.output(ev, fd, stream)
            if ev.msg.fd in r:
                ev.msg.fill()
                for t, payload in ev.msg.frames():
                    self.from_evaluator(t, payload)
                    if self.ev is not ev:
                        break
            if self.ev is ev:
                ev.flush_output(self, final=False)
                self.check_evaluator(ev)

    def send(self, type_, out):
        self.out += frame(type_, out)
        self.flush_host()

    def flush_host(self):
        while self.out:
            try:
                n = os.write(self.sock.fileno(), self.out)
            except BlockingIOError:
                return
            except OSError:
                self.kill_all()
                os._exit(0)
            del self.out[:n]

    def violation(self, why):
        diag('protocol: ' + why)
        self.kill_all()
        os._exit(3)

    def from_host(self, t, payload):
        inp = In(payload)
        if t == TOOLS:
            self.tools = read_tools(inp)
            self.tools_frame = frame(t, Raw(payload))
            if self.ev is None:
                self.fork_evaluator()
        elif t == EXECUTE:
            eid = inp.long()
            inp.string()
            max_output = inp.int()
            inp.int()
            inp.end()
            if self.running is not None or self.ev is None:
                self.violation('EXECUTE while another execution runs or before TOOLS')
            if self.ev.loop_at is None and self.ev.unobservable is None:
                self.find_loop(self.ev)
            self.running = eid
            self.ev.begin(eid, max_output)
            self.ev.queue(frame(t, Raw(payload)))
        elif t == STOP:
            eid = inp.long()
            inp.end()
            if self.running == eid and self.ev is not None and not self.ev.interrupted:
                self.ev.interrupted = True
                try:
                    os.kill(self.ev.pid, signal.SIGINT)
                except OSError:
                    pass
        elif t == TOOL_RESULT:
            if self.running is not None and self.ev is not None:
                self.ev.queue(frame(t, Raw(payload)))
        elif t == RESET:
            inp.end()
            if self.running is not None:
                self.violation('RESET during an execution')
            self.kill_all()
            self.wipe_tmp()
            self.fork_evaluator()
        else:
            self.violation('unknown frame type %d from the host' % t)

    def from_evaluator(self, t, payload):
        """The evaluator is as hostile as its snippet: only a tool call or the result of the running execution passes."""
        ev = self.ev
        if self.running is None:
            self.violation('the evaluator sent a frame of type %d while no execution runs' % t)
        inp = In(payload)
        eid = inp.long()
        if eid != self.running:
            self.violation('the evaluator sent a frame for execution %d while %d runs' % (eid, self.running))
        if t == TOOL_CALL:
            ev.flush_output(self, final=False)
            self.send(TOOL_CALL, Raw(payload))
        elif t == RESULT:
            status = inp.byte()
            value = inp.string()
            error_class = inp.string(1024)
            message = inp.string()
            trace = inp.string()
            inp.string(4096)
            inp.end()
            leftover = self.await_idle(ev)
            self.finish(status, value, error_class, message, trace, leftover)
        else:
            self.violation('the evaluator may not send frames of type %d' % t)

    def find_loop(self, ev):
        """
        Where a fresh evaluator, which has run no snippet yet, waits for its requests: the stack
        pointer of its main thread blocked in read(EVAL_CTL, buf, 5) once it has taken the TOOLS
        frame and closed EVAL_READY. After every result the evaluator must be back there (await_idle). When the
        kernel does not show it (/proc/PID/syscall refused), no execution can be shown to have ended:
        each then reports that, and the host recycles the session after one use.
        """
        if READ_SYSCALL < 0:
            ev.unobservable = 'the supervisor knows no number of the read system call on %s' % os.uname().machine
            diag(ev.unobservable)
            return
        deadline = time.monotonic() + 10
        while ev.ready is not None:  # until it closes EVAL_READY (or ends): no polling while CPython starts
            left = deadline - time.monotonic()
            if left <= 0:
                ev.unobservable = 'the evaluator did not start within 10 s'
                diag(ev.unobservable)
                return
            r, _, _ = select.select([ev.ready], [ev.ctl] if ev.pending else [], [], left)
            if ev.pending:
                ev.write_some()
            if r and not os.read(ev.ready, 1):
                os.close(ev.ready)
                ev.ready = None
        deadline = time.monotonic() + 2
        misses = 0
        while True:
            try:
                call = parse_syscall(ev.proc('syscall'))
            except OSError as e:
                ev.unobservable = 'the supervisor cannot see where the evaluator waits (/proc/%d/syscall: %s)' % (
                    ev.pid, e.strerror)
                diag(ev.unobservable)
                return
            if not ev.pending and call is not None and call[0] == READ_SYSCALL and call[1][0] == EVAL_CTL \
                    and call[1][2] == HEADER:
                ev.loop_at = call[2]
                return
            if stat_of(ev.pid)[0] in (None, 'Z', 'X'):
                return  # it ended before its first execution: the execution reports it
            if time.monotonic() > deadline:
                ev.unobservable = 'the evaluator did not wait for its first request within 2 s of its start'
                diag(ev.unobservable)
                return
            misses += 1
            if misses <= 3:
                os.sched_yield()  # it is a few instructions away
            else:
                time.sleep(0.0005)

    def await_idle(self, ev):
        """
        The evaluator's RESULT is its word; before it goes to the host the kernel must show that the
        execution has ended: the evaluator's only thread blocked in its loop's read of the next
        request (no deeper in its stack than find_loop saw it, before any snippet ran), asleep and
        not woken between a look before and one after that (its voluntary context switches
        unchanged), and no other process in the sandbox in between; then nothing of the snippet can
        run until the next request is written. A main
        thread that reads the request pipe anywhere else, runs on, ends, or is not back within
        IDLE_BOUND means the RESULT was forged or the snippet runs on: the worker ends (a protocol
        violation; the host reports SESSION_DIED). Threads and processes still there after
        LEFTOVER_GRACE with the main thread back in its loop are reported as left running, as
        before (the host recycles the session). Returns that report.
        """
        if ev.loop_at is None:
            return cut(self.leftovers(), 1300) or ev.unobservable or 'an evaluator the supervisor could not observe'
        eid = self.running
        start = time.monotonic()
        cpu = None
        misses = 0
        while True:
            if ev.pending:
                ev.write_some()  # what it must still read (a late tool result) first
            try:
                before = parse_status(ev.proc('status'))
            except (OSError, ValueError, IndexError):
                before = None
            if before is None or before[0] in ('Z', 'X'):
                self.violation('the evaluator ended right after the result of execution %d: the snippet forged it' % eid)
            try:
                call = parse_syscall(ev.proc('syscall'))
            except (OSError, ValueError) as e:
                self.violation('after the result of execution %d the evaluator hides where it waits (/proc/%d/syscall: %s)'
                               % (eid, ev.pid, getattr(e, 'strerror', None) or e))
            now = time.monotonic()
            if call is not None and call[0] == READ_SYSCALL and call[1][0] == EVAL_CTL:
                if call[2] < ev.loop_at - STACK_SLACK:
                    self.violation('after the result of execution %d the evaluator reads its requests outside its loop:'
                                   ' the snippet forged the result and runs on' % eid)
                if call[1][2] == HEADER and not ev.pending:  # waiting for a new frame, not inside one
                    pids = self.others() if self.sandboxed else descendants(ev.pid)
                    try:
                        after = parse_status(ev.proc('status'))
                    except (OSError, ValueError, IndexError):
                        after = None
                    # still asleep, never woken since the first look: the read the second look saw lasted throughout
                    if after == before and before[0] == 'S':
                        threads = before[1] - 1
                        if (threads == 0 and not pids) or now - start >= LEFTOVER_GRACE:
                            return cut(describe_leftovers(threads, pids), 1300)
            elif cpu is None:
                cpu = ev.cpu()  # from here: an honest loop, about to block, takes microseconds more
            elif ev.cpu() - cpu > SPIN_CPU_NS:
                self.violation('the evaluator runs on after the result of execution %d: the snippet forged it' % eid)
            if now - start >= IDLE_BOUND:
                self.violation('the evaluator was not back in its loop %.0f s after the result of execution %d: the snippet'
                               ' forged it or runs on' % (IDLE_BOUND, eid))
            misses += 1
            if misses <= 3:
                os.sched_yield()  # it is about to block: let it run
            else:
                time.sleep(min(0.0002 * (1 << min(misses - 4, 5)), 0.005))

    def finish(self, status, value, error_class, message, trace, leftover=None):
        ev = self.ev
        if leftover is not None:  # the evaluator waits for its next request: nothing more may come from it
            ev.msg.drain()
            if ev.msg.buf:
                self.violation('the evaluator sent %d more bytes after the result of execution %d' % (len(ev.msg.buf), self.running))
        for fd, stream in ((ev.out_r, 1), (ev.err_r, 2)):
            if fd is not None:
                self.output(ev, fd, stream)  # what it wrote before its result is in the pipe already
        ev.flush_output(self, final=True)
        if leftover is None:
            leftover = cut(self.leftovers(), 1300)
        eid = self.running
        self.running = None
        self.send(RESULT, Out().long(eid).byte(status).string(value).string(error_class).string(message)
                  .string(trace).string(leftover))

    def output(self, ev, fd, stream):
        while True:
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                return
            except OSError:
                data = b''
            if not data:
                os.close(fd)
                if stream == 1:
                    ev.out_r = None
                else:
                    ev.err_r = None
                return
            if self.running is not None:
                ev.take_output(stream, data)

    def check_evaluator(self, ev):
        try:
            pid, status = os.waitpid(ev.pid, os.WNOHANG)
        except ChildProcessError:
            pid, status = ev.pid, 0
        if pid == 0:
            return
        ev.exited = True
        if os.WIFSIGNALED(status):
            how = 'was killed by signal %d (%s)' % (os.WTERMSIG(status), signal_name(os.WTERMSIG(status)))
        else:
            how = 'exited with status %d' % os.WEXITSTATUS(status)
        if self.running is None:
            diag('the evaluator %s between executions' % how)
            self.kill_all()
            os._exit(4)
        self.finish(FAILED, '', '', 'the Python evaluator ' + how + ' (the snippet ended it: exit(), os._exit(), a signal'
                    ' or the kernel)', '')
        self.kill_all()


def describe_leftovers(threads, pids):
    found = []
    if threads > 0:
        found.append('%d thread%s of the evaluator' % (threads, '' if threads == 1 else 's'))
    for pid in pids[:10]:
        found.append('process %d (%s)' % (pid, comm_of(pid)))
    if len(pids) > 10:
        found.append('and %d more processes' % (len(pids) - 10))
    return ', '.join(found)


class Raw:
    """A payload passed on as it came."""

    def __init__(self, payload):
        self.b = payload


class Evaluator:
    def __init__(self, pid, ctl, msg, out_r, err_r, ready):
        self.pid = pid
        self.ready = ready
        self.ctl = ctl
        self.msg = FrameReader(msg)
        self.out_r = out_r
        self.err_r = err_r
        self.pending = bytearray()
        self.exited = False
        self.interrupted = False
        self.loop_at = None  # the stack pointer of the loop's read, found before its first execution
        self.unobservable = None  # why the kernel cannot show where it waits, when it cannot
        self.proc_fds = {}
        self.begin(0, 0)

    def proc(self, name):
        """Its /proc/PID/NAME now: opened once, then read from the start (one pread per look on the warm path)."""
        fd = self.proc_fds.get(name)
        if fd is None:
            fd = os.open('/proc/%d/%s' % (self.pid, name), os.O_RDONLY | os.O_CLOEXEC)
            self.proc_fds[name] = fd
        return os.pread(fd, 4096, 0)

    def cpu(self):
        """Nanoseconds of CPU its main thread has run (0 when the kernel keeps no such count)."""
        try:
            return int(self.proc('schedstat').split(None, 1)[0])
        except (OSError, ValueError, IndexError):
            return 0

    def begin(self, eid, max_output):
        self.eid = eid
        self.max_output = max_output
        self.interrupted = False
        self.taken = 0
        self.sent_bytes = 0
        self.sent_frames = 0
        self.buffers = {1: bytearray(), 2: bytearray()}
        self.since = None

    def queue(self, data):
        self.pending += data
        self.write_some()

    def write_some(self):
        try:
            n = os.write(self.ctl, self.pending)
            del self.pending[:n]
        except BlockingIOError:
            pass
        except OSError:
            self.pending.clear()

    def take_output(self, stream, data):
        room = self.max_output + 1 - self.taken  # one byte past the cap shows the host the limit was hit
        if room <= 0:
            return
        data = data[:room]
        self.taken += len(data)
        self.buffers[stream] += data
        if self.since is None:
            self.since = time.monotonic()

    def flush_output(self, sup, final):
        """OUTPUT frames within the host's rule: at most 16 and one per 256 bytes; two are kept for the final flush."""
        pending = len(self.buffers[1]) + len(self.buffers[2])
        if pending == 0:
            return
        if not final:
            due = pending >= 4096 or (self.since is not None and time.monotonic() - self.since >= 0.05)
            allowed = self.sent_frames + 2 + 2 <= FREE_OUTPUT_FRAMES + (self.sent_bytes + pending) // BYTES_PER_OUTPUT_FRAME
            if not (due and allowed):
                return
        for stream in (1, 2):
            buf = self.buffers[stream]
            while buf:
                chunk = bytes(buf[:OUTPUT_CHUNK])
                del buf[:OUTPUT_CHUNK]
                self.sent_frames += 1
                self.sent_bytes += len(chunk)
                sup.send(OUTPUT, Out().long(self.eid).byte(stream).bytes(chunk))
        self.since = None

    def close(self):
        for fd in (self.ctl, self.msg.fd, self.out_r, self.err_r, self.ready, *self.proc_fds.values()):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass


def fcntl_dup(fd):
    import fcntl
    return fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 16)


def max_fd():
    try:
        return os.sysconf('SC_OPEN_MAX')
    except (ValueError, OSError):
        return 1024


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def stat_of(pid):
    """(state, parent pid) of a process, or (None, None) when it is gone."""
    try:
        with open('/proc/%d/stat' % pid, 'rb') as f:
            s = f.read().decode('ascii', 'replace')
    except OSError:
        return None, None
    rest = s[s.rfind(')') + 2:].split()
    return (rest[0], int(rest[1])) if len(rest) > 1 else (None, None)


def comm_of(pid):
    try:
        with open('/proc/%d/comm' % pid, 'rb') as f:
            return f.read().decode('utf-8', 'replace').strip()[:32]
    except OSError:
        return '?'


def alive(pid, state):
    """
    Whether a process can still run: not gone, and not a zombie unless one of its threads lives on
    (a main thread that called exit(2) alone leaves the process a zombie in /proc/PID/stat while its
    other threads run, with every descriptor the process held).
    """
    if state is None:
        return False
    if state not in ('Z', 'X'):
        return True
    try:
        tids = os.listdir('/proc/%d/task' % pid)
    except OSError:
        return False
    for tid in tids:
        if tid != str(pid):
            try:
                with open('/proc/%d/task/%s/stat' % (pid, tid), 'rb') as f:
                    s = f.read().decode('ascii', 'replace')
            except OSError:
                continue
            if s[s.rfind(')') + 2:][:1] not in ('Z', 'X', ''):
                return True
    return False


def descendants(root):
    children = {}
    for name in os.listdir('/proc'):
        if name.isdigit():
            state, parent = stat_of(int(name))
            if alive(int(name), state):
                children.setdefault(parent, []).append(int(name))
    out, todo = [], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


READ_SYSCALL = {'x86_64': 0, 'aarch64': 63}.get(os.uname().machine, -1)


def parse_syscall(b):
    """
    (number, arguments, stack pointer, instruction pointer) of the system call a process's main
    thread is blocked in, from its /proc/PID/syscall (which needs the right to trace it: the
    evaluator makes itself dumpable); None while it runs or waits outside a system call.
    """
    f = b.split()
    if len(f) != 9:
        return None
    v = [int(x, 0) for x in f]
    return v[0], tuple(v[1:7]), v[7], v[8]


def parse_status(b):
    """(state letter, threads, voluntary context switches of the main thread) from a /proc/PID/status."""
    return (b.split(b'\nState:', 1)[1].split(None, 1)[0].decode('ascii', 'replace'),
            int(b.split(b'\nThreads:', 1)[1].split(None, 1)[0]),
            int(b.split(b'\nvoluntary_ctxt_switches:', 1)[1].split(None, 1)[0]))


def signal_name(n):
    try:
        return signal.Signals(n).name
    except ValueError:
        return '?'


# ---------------------------------------------------------------- the evaluator's seccomp filter

def refuse_signals_to(protected):
    """
    A seccomp filter of the evaluator's own (stacked on the sandbox's): kill, tkill, tgkill,
    rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_open and prlimit64 (an open-files or CPU limit ends a
    process as surely as a signal), sched_setaffinity, sched_setscheduler, sched_setparam and
    sched_setattr (one CPU or SCHED_IDLE on the supervisor outlive every reset and starve every later
    caller) aimed at the supervisor, its process group, the sandbox's init or every process (-1)
    fail with EPERM, as do setpriority and ioprio_set aimed at them or at any group or user, and pidfd_send_signal (which also takes a
    /proc/PID directory) always does. So do fcntl F_SETOWN and F_SETOWN_EX and the sockets' ioctl
    FIOSETOWN and SIOCSPGRP, whatever their target: they name the process the kernel sends a
    descriptor's I/O signal to, any signal F_SETSIG picks (SIGKILL too), and it fires on the
    supervisor's own I/O (its next write to, or its close of, the evaluator's control pipe). And so do
    the timers that fire by the clock, not by the evaluator's own CPU time: alarm, timer_create and
    setitimer(ITIMER_REAL). Their signal would run a handler the snippet left while the evaluator
    waits between executions, after the supervisor has seen it idle (Supervisor.await_idle), and that
    handler could take the next caller's request. Inherited by everything the evaluator starts.
    """
    import ctypes
    import platform
    machine = platform.machine()
    if machine == 'x86_64':
        arch, targeted, always, fcntl_, ioctl_, itimer, prio, ioprio = 0xC000003E, [62, 200, 234, 129, 297, 434, 302, 203, 144, 142, 314], [424, 37, 222], 72, 16, 38, 141, 251
    elif machine == 'aarch64':
        arch, targeted, always, fcntl_, ioctl_, itimer, prio, ioprio = 0xC00000B7, [129, 130, 131, 138, 240, 434, 261, 122, 119, 118, 274], [424, 107], 25, 29, 103, 140, 30
    else:
        raise OSError('no seccomp numbers for ' + machine)
    values = {0xffffffff}
    for p in protected:
        if p > 0:
            values.add(p & 0xffffffff)
            values.add(-p & 0xffffffff)
    LD, JEQ, RET = 0x20, 0x15, 0x06
    ALLOW, EPERM = 0x7fff0000, 0x00050000 | errno.EPERM
    prog = []  # (code, jt, jf, k) with jumps as labels resolved below
    prog.append((LD, 0, 0, 4))
    prog.append((JEQ, 0, 'deny', arch))
    prog.append((LD, 0, 0, 0))
    for nr in always:
        prog.append((JEQ, 'deny', 0, nr))
    for nr in targeted:
        prog.append((JEQ, 'check', 0, nr))
    prog.append((JEQ, 'fcntl', 0, fcntl_))
    prog.append((JEQ, 'ioctl', 0, ioctl_))
    prog.append((JEQ, 'itimer', 0, itimer))
    prog.append((JEQ, 'prio', 0, prio))
    prog.append((JEQ, 'ioprio', 0, ioprio))
    prog.append((RET, 0, 0, ALLOW))
    by_which = len(prog)
    prog.append((LD, 0, 0, 16))  # args[0], which: PRIO_PROCESS only, never a group or a user
    prog.append((JEQ, 'who', 'deny', 0))
    io_by_which = len(prog)
    prog.append((LD, 0, 0, 16))
    prog.append((JEQ, 'who', 'deny', 1))  # IOPRIO_WHO_PROCESS only
    who = len(prog)
    prog.append((LD, 0, 0, 24))  # args[1], the process
    for v in sorted(values):
        prog.append((JEQ, 'deny', 0, v))
    prog.append((RET, 0, 0, ALLOW))
    real_itimer = len(prog)
    prog.append((LD, 0, 0, 16))  # args[0], which timer
    prog.append((JEQ, 'deny', 0, 0))  # ITIMER_REAL
    prog.append((RET, 0, 0, ALLOW))
    owner_fcntl = len(prog)
    prog.append((LD, 0, 0, 24))  # args[1], the command, an unsigned int
    prog.append((JEQ, 'deny', 0, 8))  # F_SETOWN
    prog.append((JEQ, 'deny', 0, 15))  # F_SETOWN_EX
    prog.append((RET, 0, 0, ALLOW))
    owner_ioctl = len(prog)
    prog.append((LD, 0, 0, 24))
    prog.append((JEQ, 'deny', 0, 0x8901))  # FIOSETOWN
    prog.append((JEQ, 'deny', 0, 0x8902))  # SIOCSPGRP
    prog.append((RET, 0, 0, ALLOW))
    check = len(prog)
    prog.append((LD, 0, 0, 16))  # args[0], its low 32 bits: the kernel reads a pid as an int
    for v in sorted(values):
        prog.append((JEQ, 'deny', 0, v))
    prog.append((RET, 0, 0, ALLOW))
    deny = len(prog)
    prog.append((RET, 0, 0, EPERM))
    labels = {'check': check, 'deny': deny, 'fcntl': owner_fcntl, 'ioctl': owner_ioctl, 'itimer': real_itimer,
              'prio': by_which, 'ioprio': io_by_which, 'who': who}
    code = b''
    for i, (c, jt, jf, k) in enumerate(prog):
        jt = labels[jt] - i - 1 if isinstance(jt, str) else jt
        jf = labels[jf] - i - 1 if isinstance(jf, str) else jf
        code += struct.pack('=HBBI', c, jt, jf, k)

    class SockFprog(ctypes.Structure):
        _fields_ = [('len', ctypes.c_ushort), ('filter', ctypes.c_void_p)]
    buf = ctypes.create_string_buffer(code, len(code))
    fprog = SockFprog(len(prog), ctypes.addressof(buf))
    libc = ctypes.CDLL(None, use_errno=True)
    ul = ctypes.c_ulong
    if libc.prctl(38, ul(1), ul(0), ul(0), ul(0)) != 0:  # PR_SET_NO_NEW_PRIVS (bubblewrap set it already)
        raise OSError(ctypes.get_errno(), 'PR_SET_NO_NEW_PRIVS')
    if libc.prctl(22, ul(2), ctypes.byref(fprog), ul(0), ul(0)) != 0:  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
        raise OSError(ctypes.get_errno(), 'PR_SET_SECCOMP')


# ---------------------------------------------------------------- the evaluator

class ToolError(Exception):
    """A host tool call failed: an unknown tool, wrong arguments, the tool's own failure or its timeout."""


ToolError.__module__ = 'poolkit'


class _State:
    running = False  # a snippet runs: SIGINT raises KeyboardInterrupt in it
    deferred = 0  # inside a frame read or write: an interrupt waits for its end
    pending = False
    eid = 0
    calls = 0
    max_calls = 0
    next_call = 0


def _on_sigint(signum, frame_):
    if not _State.running:
        return
    if _State.deferred:
        _State.pending = True
        return
    raise KeyboardInterrupt


class _Deferred:
    def __enter__(self):
        _State.deferred += 1

    def __exit__(self, *exc):
        _State.deferred -= 1
        if _State.deferred == 0 and _State.pending and _State.running and exc[0] is None:
            _State.pending = False
            raise KeyboardInterrupt


_EVALUATOR_PID = [0]


def _send(type_, out):
    if os.getpid() != _EVALUATOR_PID[0]:
        os._exit(0)  # a process the snippet forked came back here: it has nothing to say
    with _Deferred():
        write_all(EVAL_MSG, frame(type_, out))


def _read_frame():
    header = read_exactly(EVAL_CTL, 5)
    n = struct.unpack('>i', header[:4])[0]
    if n < 1 or n > MAX_LENGTH:
        raise ProtocolError('frame length %d' % n)
    return header[4], read_exactly(EVAL_CTL, n - 1)


def _flush_std():
    for s in (sys.stdout, sys.stderr):
        try:
            s.flush()
        except Exception:
            pass


def _tool_call(name, args):
    if not _State.running:
        raise ToolError('tools can be called only while an execution runs')
    if _State.calls >= _State.max_calls:
        raise ToolError('tool call limit reached: at most %d tool calls per execution (Limits.maxToolCalls)' % _State.max_calls)
    if not isinstance(name, str) or len(name.encode('utf-8', 'replace')) > 1024:
        raise ToolError('a tool name is a str of at most 1024 bytes')
    _State.next_call += 1
    call = _State.next_call
    out = Out().long(_State.eid).long(call).string(name)
    write_value(out, args, 'arguments')
    if len(out.b) + 1 > MAX_LENGTH:
        raise ToolError('the arguments take %d bytes, more than a frame holds (%d)' % (len(out.b), MAX_LENGTH))
    _State.calls += 1
    _flush_std()
    _send(TOOL_CALL, out)
    while True:
        select.select([EVAL_CTL], [], [])  # interruptible: a STOP reaches a snippet waiting for its tool
        with _Deferred():
            t, payload = _read_frame()
        if t != TOOL_RESULT:
            raise ProtocolError('frame %d during a tool call' % t)
        inp = In(payload)
        if inp.long() != _State.eid or inp.long() != call:
            continue  # the answer to a call an interrupt abandoned
        if inp.byte():
            value = read_value(inp)
            inp.end()
            return value
        message = inp.string()
        inp.end()
        raise ToolError(message)


class Tools:
    """The `tools` of every snippet: tools.call("lookup", id=42), tools.call("lookup", {"id": 42}), tools.names()."""

    def __init__(self, specs):
        self._specs = {name: (description, params) for name, description, params in specs}

    def call(self, name, args=None, /, **kwargs):
        merged = dict(args or {})
        merged.update(kwargs)
        return _tool_call(name, merged)

    def names(self):
        return sorted(self._specs)

    def describe(self, name):
        description, params = self._specs[name]
        return '%s(%s): %s' % (name, ', '.join(params), description)

    def __repr__(self):
        return '<tools: %s>' % ', '.join(self.names())


def _tool_function(name, description, params):
    def tool(*args, **kwargs):
        if len(args) > len(params):
            raise TypeError('%s() takes %d arguments (%s) but %d were given' % (name, len(params), ', '.join(params), len(args)))
        merged = dict(zip(params, args))
        for k, v in kwargs.items():
            if k in merged:
                raise TypeError('%s() got multiple values for argument %r' % (name, k))
            merged[k] = v
        return _tool_call(name, merged)
    tool.__name__ = tool.__qualname__ = name
    tool.__doc__ = description
    return tool


def _namespace(specs):
    import builtins
    import keyword
    ns = {'__name__': '__main__', '__builtins__': builtins, 'tools': Tools(specs), 'ToolError': ToolError}
    for name, description, params in specs:
        if name.isidentifier() and not keyword.iskeyword(name):
            ns[name] = _tool_function(name, description, params)
    return ns


def _plain(s):
    """An exact str of a str or str subclass, copied without calling any method the subclass defines; '' otherwise."""
    return str.__str__(s) if issubclass(type(s), str) else ''


def _describe(e):
    """The traceback's last line; an exception whose class or message cannot be shown is still the snippet's exception."""
    import traceback
    try:
        return ''.join(traceback.format_exception_only(type(e), e)).strip()
    except BaseException as failed:  # noqa: B036 - a snippet's __str__, __format__ or metaclass may raise anything
        return '%s (its message could not be shown: %s)' % (_class_name(e), _class_name(failed))


def _class_name(e):
    """The qualified class name, read from the class itself: a metaclass's attribute hooks and a str subclass's methods are not called."""
    t = type(e)
    try:
        module = _plain(type.__dict__['__module__'].__get__(t))
        name = _plain(type.__dict__['__qualname__'].__get__(t)) or '?'
    except Exception:
        return '?'
    return name if module in ('', 'builtins', '__main__') else '%s.%s' % (module, name)


def _trace(e):
    import traceback
    try:
        tb = traceback.TracebackException(type(e), e, e.__traceback__)
        for s in [tb] + _chain(tb):
            s.stack = traceback.StackSummary.from_list([f for f in s.stack if f.filename != __file__])
        return ''.join(tb.format())
    except BaseException as failed:  # noqa: B036 - the snippet's __str__ may raise SystemExit or KeyboardInterrupt too
        return '(the stack trace could not be shown: %s)' % _class_name(failed)


def _chain(tb):
    out, seen, todo = [], set(), [tb]
    while todo:
        t = todo.pop()
        for nxt in (t.__cause__, t.__context__):
            if nxt is not None and id(nxt) not in seen:
                seen.add(id(nxt))
                out.append(nxt)
                todo.append(nxt)
    return out


def _compile(code, eid):
    import ast
    import linecache
    filename = '<snippet %d>' % eid
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    tree = compile(code, filename, 'exec', ast.PyCF_ONLY_AST)
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(tree.body.pop().value)
    body = compile(tree, filename, 'exec')
    return body, (compile(last, filename, 'eval') if last is not None else None)


def _run(eid, code, ns):
    """(status, value, class, message, trace) of one execution."""
    try:
        body, last = _compile(code, eid)
    except (SyntaxError, ValueError, OverflowError, RecursionError, MemoryError) as e:
        return COMPILE_ERROR, '', _class_name(e), cut(_describe(e), MAX_TEXT_CHARS), ''
    try:
        _State.running = True
        try:
            exec(body, ns)
            value = eval(last, ns) if last is not None else None
            text = '' if value is None else _plain(repr(value))  # a str subclass's own len() or encode() does not count
        finally:
            _State.running = False
            _State.pending = False
        if len(text) > MAX_VALUE_CHARS:
            text = text[:MAX_VALUE_CHARS] + '... (%d more characters cut)' % (len(text) - MAX_VALUE_CHARS)
        return OK, text, '', '', ''
    except SystemExit as e:
        _flush_std()
        code_ = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        os._exit(code_ & 0xff)  # the evaluator ends, as the snippet asked: the session is then dead
    except BaseException as e:  # noqa: B036 - a snippet's exception of any kind is its outcome
        _State.running = False
        # 200 code points are at most 800 UTF-8 bytes: within the host's 1024-byte cap on the class, whatever its letters
        return EXCEPTION, '', cut(_class_name(e), 200), cut(_describe(e), MAX_TEXT_CHARS), cut(_trace(e), MAX_TEXT_CHARS)


def evaluator_main(sandboxed):
    """The evaluator's own interpreter: the tools first, then executions."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # until evaluate() takes SIGINT over
    if sandboxed:
        # the execute-only interpreter made this process non-dumpable, which would hide its
        # /proc/PID/syscall from the supervisor (await_idle); the supervisor stays non-dumpable
        import ctypes
        ul = ctypes.c_ulong
        if ctypes.CDLL(None, use_errno=True).prctl(4, ul(1), ul(0), ul(0), ul(0)) != 0:  # PR_SET_DUMPABLE
            raise OSError(ctypes.get_errno(), 'PR_SET_DUMPABLE')
    import ast  # noqa: F401 - warm: what every execution needs, before the first one
    import builtins  # noqa: F401
    import keyword  # noqa: F401
    import linecache  # noqa: F401
    import traceback  # noqa: F401
    t, payload = _read_frame()
    if t != TOOLS:
        raise ProtocolError('the evaluator expected TOOLS, not frame %d' % t)
    evaluate(read_tools(In(payload)))


def evaluate(specs):
    import io
    _EVALUATOR_PID[0] = os.getpid()
    signal.signal(signal.SIGINT, _on_sigint)
    sys.stdin = io.TextIOWrapper(io.FileIO(0, 'r', closefd=False), encoding='utf-8')
    sys.stdout = io.TextIOWrapper(io.FileIO(1, 'w', closefd=False), encoding='utf-8', errors='backslashreplace', line_buffering=True)
    sys.stderr = io.TextIOWrapper(io.FileIO(2, 'w', closefd=False), encoding='utf-8', errors='backslashreplace', line_buffering=True)
    ns = _namespace(specs)
    os.close(EVAL_READY)  # no snippet has run: the supervisor may now look where this loop waits
    while True:
        try:
            t, payload = _read_frame()
        except EOFError:
            os._exit(0)
        if t == TOOL_RESULT:
            continue  # the answer to a call that was interrupted
        if t != EXECUTE:
            raise ProtocolError('unexpected frame %d' % t)
        inp = In(payload)
        eid = inp.long()
        code = inp.string()
        inp.int()
        max_calls = inp.int()
        inp.end()
        _State.eid, _State.calls, _State.max_calls = eid, 0, max_calls
        outcome = _run(eid, code, ns)
        try:
            _flush_std()
        except BaseException:  # noqa: B036
            pass
        status, value, error_class, message, trace = outcome
        _send(RESULT, Out().long(eid).byte(status).string(value).string(error_class).string(message).string(trace).string(''))


# ---------------------------------------------------------------- start-up

def read_token():
    b = b''
    while not b.endswith(b'\n'):
        c = os.read(0, 1)
        if not c or len(b) > 256:
            diag('no token on stdin')
            os._exit(2)
        b += c
    return b[:-1].decode('ascii', 'replace')


def main(argv):
    if argv[1:2] == ['--evaluator']:
        try:
            evaluator_main(argv[2:] == ['sandbox'])
            status = 0
        except BaseException as e:  # noqa: B036
            diag('the evaluator failed: %r' % (e,))
            status = 70
        os._exit(status)
    if len(argv) != 4 or argv[2] not in ('sandbox', 'plain'):
        diag('usage: poolkit_worker.py SOCKET sandbox|plain ADDRESS_SPACE_BYTES (token on stdin)')
        os._exit(2)
    sandboxed = argv[2] == 'sandbox'
    if sandboxed and os.getppid() != 1:
        diag('told it runs in the sandbox, but its parent is not the sandbox\'s init')
        os._exit(2)
    token = read_token()
    os.dup2(os.open('/dev/null', os.O_RDONLY), 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the evaluator is interrupted
    # warm: what every evaluator needs is imported once, here, before the fork
    import ast  # noqa: F401
    import builtins  # noqa: F401
    import io  # noqa: F401
    import keyword  # noqa: F401
    import linecache  # noqa: F401
    import traceback  # noqa: F401
    import resource  # noqa: F401
    import fcntl  # noqa: F401
    import socket
    if sandboxed:
        import ctypes  # noqa: F401
        import platform  # noqa: F401
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.connect(argv[1])
    hello = Out().string(token).int(PROTOCOL_VERSION).string(('Python ' + sys.version.split()[0])[:64]).long(os.getpid())
    del token
    sock.sendall(frame(HELLO, hello))
    Supervisor(sock, sandboxed, int(argv[3])).loop()


if __name__ == '__main__':
    try:
        main(sys.argv)
    except BaseException as failure:  # noqa: B036
        diag('the supervisor failed: %r' % (failure,))
        os._exit(3)
