# The R worker of a poolkit session (pool-session, DESIGN "More than Java").
#
#   R --no-echo --no-restore --vanilla --file=poolkit_worker.R --args supervisor IN OUT MODE AS R_BINARY PRLIMIT
#   (the one-time token on stdin)
#
# Two processes, two trust levels, as the Python worker:
# - the supervisor (this process as started) owns the host's two FIFOs (R has no AF_UNIX sockets):
#   IN, the host's frames, and OUT, its own. It never runs snippet code. It speaks the host's frame
#   protocol, starts the evaluator, relays the evaluator's frames only while an execution runs
#   (anything else ends the worker), turns the evaluator's stdout and stderr into OUTPUT frames within
#   the execution's budget, says which processes and threads a snippet left running, interrupts the
#   evaluator (SIGINT) when the host says STOP, and on RESET kills every other process of the sandbox,
#   empties /tmp and starts a fresh evaluator.
# - the evaluator is a fresh R (sh -c 'exec prlimit --as=N -- R ...', through popen: never a fork of
#   the supervisor's heap, which relays every execution's code, output and result) with the
#   supervisor's descriptors closed: its stdin is a pipe from the supervisor, its fd 3, stdout and
#   stderr are FIFOs the supervisor made in a fresh directory of /tmp and unlinks once the evaluator
#   said hello, before any snippet runs. It holds nothing of the host's FIFOs (unlinked by the host
#   before the first evaluator starts). In the sandbox the host's seccomp filter refuses every
#   process of the sandbox every way to signal the supervisor (pid 2) or init, their groups, or -1.
#
# R has no select() over pipes: the supervisor polls its non-blocking descriptors, every millisecond
# while an execution runs and for 0.2 s after, then less often, every 20 ms after 10 s idle (an idle
# worker then costs about 2 % of a core; the first frame after a long idle waits up to 20 ms).
#
# Uses base R and the tools and utils packages only: it runs from a read-only copy inside the sandbox.

local({

PROTOCOL_VERSION <- 2L
MAX_LENGTH <- 1048576L
HELLO <- 1L; OUTPUT <- 2L; TOOL_CALL <- 3L; RESULT <- 4L
EXECUTE <- 10L; STOP <- 11L; TOOL_RESULT <- 12L; RESET <- 13L; TOOLS <- 14L
OK <- 0L; COMPILE_ERROR <- 1L; EXCEPTION <- 2L; FAILED <- 5L
MAX_VALUE_CHARS <- 65536L
MAX_TEXT_CHARS <- 65536L
OUTPUT_CHUNK <- 16384L
FREE_OUTPUT_FRAMES <- 16L
BYTES_PER_OUTPUT_FRAME <- 256L
SIGINT <- 2L; SIGKILL <- 9L

# ---------------------------------------------------------------- the wire: frames and values

protocol_error <- function(msg) structure(class = c("poolkit_protocol", "error", "condition"), list(message = msg, call = NULL))

int4 <- function(n) writeBin(as.integer(n), raw(), size = 4L, endian = "big")

frame <- function(type, payload) c(int4(length(payload) + 1L), as.raw(type), payload)

utf8 <- function(s) {
    s <- enc2utf8(as.character(s))
    if (!validUTF8(s)) s <- iconv(s, "UTF-8", "UTF-8", sub = "?")
    if (is.na(s)) "" else s
}

str_bytes <- function(s) {
    b <- charToRaw(utf8(s))
    c(int4(length(b)), b)
}

cut_text <- function(s, limit) {
    s <- utf8(s)
    if (nchar(s, type = "chars", allowNA = TRUE) %in% NA) return("")
    if (nchar(s) <= limit) s else paste0(substr(s, 1L, limit - 20L), "... (cut)")
}

reader <- function(p) {
    e <- new.env(parent = emptyenv())
    e$p <- p
    e$pos <- 1L
    e
}

need <- function(i, n) {
    if (is.na(n) || n < 0 || n > length(i$p) - i$pos + 1L) stop(protocol_error("truncated frame"))
}

r_raw <- function(i, n) {
    need(i, n)
    if (n == 0) return(raw())
    v <- i$p[i$pos:(i$pos + n - 1L)]
    i$pos <- i$pos + n
    v
}

r_byte <- function(i) as.integer(r_raw(i, 1L))

r_int <- function(i) readBin(r_raw(i, 4L), "integer", size = 4L, endian = "big")

r_long <- function(i) {
    hi <- r_int(i)
    lo <- r_int(i)
    if (is.na(hi)) hi <- -2147483648
    if (is.na(lo)) lo <- -2147483648
    if (lo < 0) lo <- lo + 4294967296
    hi * 4294967296 + lo
}

r_bytes <- function(i, limit = MAX_LENGTH) {
    n <- r_int(i)
    if (is.na(n) || n < 0 || n > limit) stop(protocol_error(sprintf("length %s out of bounds", n)))
    r_raw(i, n)
}

as_string <- function(b) {
    if (!length(b)) return("")
    b[b == as.raw(0)] <- as.raw(0x3f) # an R string cannot hold NUL
    s <- rawToChar(b)
    Encoding(s) <- "UTF-8"
    s
}

r_string <- function(i, limit = MAX_LENGTH) as_string(r_bytes(i, limit))

r_end <- function(i) if (i$pos != length(i$p) + 1L) stop(protocol_error("trailing bytes"))

V_NULL <- 0L; V_FALSE <- 1L; V_TRUE <- 2L; V_LONG <- 3L; V_DOUBLE <- 4L; V_STRING <- 5L; V_LIST <- 6L; V_MAP <- 7L
MAX_DEPTH <- 32L
TWO_53 <- 9007199254740992

w_long <- function(x) {
    hi <- floor(x / 4294967296)
    lo <- x - hi * 4294967296
    if (lo >= 2147483648) lo <- lo - 4294967296
    c(int4(hi), int4(lo))
}

cannot_travel <- function(path, what) {
    stop(sprintf(paste("%s is %s, which cannot travel between the snippet and the host: use NULL, TRUE/FALSE, a number,",
        "a string, a vector or an unnamed list (a list on the host), or a named list (a map)"), path, what), call. = FALSE)
}

# One element of an atomic vector. A whole number within 2^53 travels as an integer (as in JSON, 42 and 42L are one value).
w_scalar <- function(x, path) {
    if (is.logical(x)) {
        if (is.na(x)) as.raw(V_NULL) else as.raw(if (x) V_TRUE else V_FALSE)
    } else if (is.integer(x)) {
        if (is.na(x)) as.raw(V_NULL) else c(as.raw(V_LONG), w_long(x))
    } else if (is.double(x)) {
        if (is.na(x) && !is.nan(x)) as.raw(V_NULL)
        else if (is.finite(x) && x == trunc(x) && abs(x) <= TWO_53) c(as.raw(V_LONG), w_long(x))
        else c(as.raw(V_DOUBLE), writeBin(x, raw(), size = 8L, endian = "big"))
    } else if (is.character(x)) {
        if (is.na(x)) as.raw(V_NULL) else c(as.raw(V_STRING), str_bytes(x))
    } else {
        cannot_travel(path, paste("a", typeof(x)))
    }
}

# Reads the value with no S3 dispatch (class attributes are dropped first): a snippet's own class
# cannot run code here, so a conversion failure is the snippet's error, never the worker's.
w_value <- function(v, path = "value", depth = 0L) {
    if (depth > MAX_DEPTH) stop(sprintf("%s is nested more than %d levels deep", path, MAX_DEPTH), call. = FALSE)
    if (is.null(v)) return(as.raw(V_NULL))
    type <- typeof(v)
    if (!type %in% c("logical", "integer", "double", "character", "list")) cannot_travel(path, paste("a", type))
    if (inherits(v, "factor") && type == "integer") {
        lv <- attr(v, "levels", exact = TRUE)
        nm <- attr(v, "names", exact = TRUE)
        v <- if (is.character(lv)) lv[unclass(v)] else as.character(unclass(v))
        attr(v, "names") <- nm
    }
    nm <- attr(v, "names", exact = TRUE)
    v <- unclass(v)
    attributes(v) <- NULL
    n <- length(v)
    if (!is.null(nm)) {
        if (!is.character(nm) || length(nm) != n || anyNA(nm) || any(nm == "")) {
            stop(sprintf("%s has names for some elements but not all: name all (a map) or none (a list)", path), call. = FALSE)
        }
        parts <- vector("list", n)
        for (k in seq_len(n)) parts[[k]] <- c(str_bytes(nm[[k]]), w_value(v[[k]], paste0(path, "$", nm[[k]]), depth + 1L))
        return(c(as.raw(V_MAP), int4(n), unlist(parts, use.names = FALSE)))
    }
    if (type != "list" && n == 1L) return(w_scalar(v, path))
    parts <- vector("list", n)
    for (k in seq_len(n)) {
        p <- sprintf("%s[[%d]]", path, k)
        parts[[k]] <- if (type == "list") w_value(v[[k]], p, depth + 1L) else w_scalar(v[[k]], p)
    }
    c(as.raw(V_LIST), int4(n), unlist(parts, use.names = FALSE))
}

r_value <- function(i, depth = 0L) {
    if (depth > MAX_DEPTH) stop(protocol_error("a value nested too deep"))
    tag <- r_byte(i)
    if (tag == V_NULL) return(NULL)
    if (tag == V_FALSE) return(FALSE)
    if (tag == V_TRUE) return(TRUE)
    if (tag == V_LONG) {
        v <- r_long(i)
        return(if (abs(v) < 2147483647) as.integer(v) else v)
    }
    if (tag == V_DOUBLE) return(readBin(r_raw(i, 8L), "double", size = 8L, endian = "big"))
    if (tag == V_STRING) return(r_string(i))
    if (tag == V_LIST) {
        n <- r_int(i)
        if (is.na(n) || n < 0 || n > length(i$p) - i$pos + 1L) stop(protocol_error("list size"))
        out <- vector("list", n)
        for (k in seq_len(n)) {
            x <- r_value(i, depth + 1L)
            if (!is.null(x)) out[[k]] <- x
        }
        return(out)
    }
    if (tag == V_MAP) {
        n <- r_int(i)
        if (is.na(n) || n < 0 || n > (length(i$p) - i$pos + 1L) %/% 5L) stop(protocol_error("map size"))
        out <- vector("list", n)
        keys <- character(n)
        for (k in seq_len(n)) {
            keys[[k]] <- r_string(i)
            x <- r_value(i, depth + 1L)
            if (!is.null(x)) out[[k]] <- x
        }
        names(out) <- keys
        return(out)
    }
    stop(protocol_error(sprintf("unknown value tag %d", tag)))
}

read_tools <- function(i) {
    n <- r_int(i)
    if (is.na(n) || n < 0 || n > 10000) stop(protocol_error("tool count"))
    tools <- vector("list", n)
    for (k in seq_len(n)) {
        name <- r_string(i)
        description <- r_string(i)
        m <- r_int(i)
        if (is.na(m) || m < 0 || m > 1000) stop(protocol_error("parameter count"))
        params <- character(m)
        for (j in seq_len(m)) params[[j]] <- r_string(i)
        tools[[k]] <- list(name = name, description = description, params = params)
    }
    r_end(i)
    tools
}

diag <- function(msg) {
    try(cat("poolkit R worker: ", msg, "\n", sep = "", file = stderr()), silent = TRUE)
}

# ---------------------------------------------------------------- the supervisor

# Frames parsed from bytes read so far; a length out of bounds is a violation.
take_frames <- function(buf) {
    frames <- list()
    while (length(buf$b) >= 5L) {
        n <- readBin(buf$b[1:4], "integer", size = 4L, endian = "big")
        if (is.na(n) || n < 1L || n > MAX_LENGTH) stop(protocol_error(sprintf("frame length %s is outside 1..%d", n, MAX_LENGTH)))
        if (length(buf$b) < 4L + n) break
        frames[[length(frames) + 1L]] <- list(type = as.integer(buf$b[5L]), payload = if (n > 1L) buf$b[6:(4L + n)] else raw())
        buf$b <- if (length(buf$b) > 4L + n) buf$b[(5L + n):length(buf$b)] else raw()
    }
    frames
}

read_some <- function(con) {
    r <- tryCatch(readBin(con, "raw", 65536L), error = function(e) raw())
    if (is.null(r)) raw() else r
}

# everything a non-blocking descriptor holds now
read_all <- function(con) {
    parts <- list()
    repeat {
        b <- read_some(con)
        if (!length(b)) break
        parts[[length(parts) + 1L]] <- b
    }
    unlist(parts, use.names = FALSE)
}

proc_state <- function(pid, stat = sprintf("/proc/%d/stat", pid)) {
    s <- tryCatch(suppressWarnings(readLines(stat, n = 1L, warn = FALSE)), error = function(e) character())
    if (!length(s)) return(list(state = NA_character_, ppid = NA_integer_))
    # after the last ")": the name before it is the process's own to choose ("x) Z 1" would read as a zombie)
    rest <- strsplit(substring(s, regexpr(")[^)]*$", s)[[1L]] + 2L), " ", fixed = TRUE)[[1L]]
    list(state = rest[1L], ppid = suppressWarnings(as.integer(rest[2L])))
}

proc_comm <- function(pid) {
    s <- tryCatch(suppressWarnings(readLines(sprintf("/proc/%d/comm", pid), n = 1L, warn = FALSE)), error = function(e) "?")
    if (!length(s)) "?" else substr(s, 1L, 32L)
}

running_pids <- function() {
    p <- suppressWarnings(as.integer(list.files("/proc")))
    p[!is.na(p)]
}

# Whether a process can still run: not gone, and not a zombie unless one of its threads lives on (a
# main thread that exited alone leaves the process a zombie in /proc/PID/stat while its other threads
# run, with every descriptor the process held; a SIGKILL to its pid still ends them all).
alive <- function(pid) {
    st <- proc_state(pid)$state
    if (is.na(st)) return(FALSE)
    if (!st %in% c("Z", "X")) return(TRUE)
    tids <- setdiff(list.files(sprintf("/proc/%d/task", pid)), as.character(pid))
    for (t in tids) {
        ts <- proc_state(pid, sprintf("/proc/%d/task/%s/stat", pid, t))$state
        if (!is.na(ts) && !ts %in% c("Z", "X")) return(TRUE)
    }
    FALSE
}

descendants <- function(root) {
    pids <- running_pids()
    parent <- vapply(pids, function(p) if (alive(p)) proc_state(p)$ppid else NA_integer_,
        integer(1))
    out <- integer()
    todo <- root
    while (length(todo)) {
        kids <- pids[!is.na(parent) & parent %in% todo]
        kids <- setdiff(kids, out)
        out <- c(out, kids)
        todo <- kids
    }
    out
}

supervisor <- function(args) {
    S <- new.env(parent = emptyenv())
    S$sandboxed <- args[[4L]] == "sandbox"
    S$address_space <- args[[5L]]
    S$r_binary <- args[[6L]]
    S$prlimit <- args[[7L]]
    S$script <- args[[8L]]
    S$me <- Sys.getpid()
    S$hostbuf <- new.env(parent = emptyenv()); S$hostbuf$b <- raw()
    S$ev <- NULL
    S$running <- NULL
    S$tools_frame <- NULL
    if (S$sandboxed && S$me != 2L) {
        diag("told it runs in the sandbox, but it is not the sandbox's first process")
        quit(save = "no", status = 2L)
    }
    stdin_con <- file("stdin", "r")
    token <- readLines(stdin_con, n = 1L, warn = FALSE)
    close(stdin_con)
    if (length(token) != 1L || nchar(token) > 256L) {
        diag("no token on stdin")
        quit(save = "no", status = 2L)
    }
    S$hin <- fifo(args[[2L]], open = "rb", blocking = FALSE)
    S$hout <- fifo(args[[3L]], open = "wb", blocking = TRUE)
    Sys.unsetenv("R_DEFAULT_PACKAGES") # the supervisor starts with base only; the evaluator with R's defaults
    hello <- c(str_bytes(token), int4(PROTOCOL_VERSION), str_bytes(substr(paste("R", getRversion()), 1L, 64L)), w_long(S$me))
    rm(token)
    send_host(S, HELLO, hello)
    loop(S)
}

send_host <- function(S, type, payload) {
    ok <- tryCatch({
        writeBin(frame(type, payload), S$hout)
        flush(S$hout)
        TRUE
    }, error = function(e) FALSE)
    if (!ok) { # the host is gone
        kill_all(S)
        quit(save = "no", status = 0L)
    }
}

violation <- function(S, why) {
    diag(paste("protocol:", why))
    kill_all(S)
    quit(save = "no", status = 3L)
}

loop <- function(S) {
    idle_since <- Sys.time()
    tick <- 0L
    repeat {
        busy <- FALSE
        b <- read_all(S$hin)
        if (length(b)) {
            busy <- TRUE
            S$hostbuf$b <- c(S$hostbuf$b, b)
            frames <- tryCatch(take_frames(S$hostbuf), poolkit_protocol = function(e) violation(S, conditionMessage(e)))
            for (f in frames) from_host(S, f$type, f$payload)
        }
        ev <- S$ev
        if (!is.null(ev)) {
            if (drain_output(S, ev)) busy <- TRUE
            m <- read_all(ev$msg)
            if (length(m)) {
                busy <- TRUE
                ev$msgbuf$b <- c(ev$msgbuf$b, m)
                frames <- tryCatch(take_frames(ev$msgbuf), poolkit_protocol = function(e) violation(S, paste("the evaluator:", conditionMessage(e))))
                for (f in frames) {
                    from_evaluator(S, f$type, f$payload)
                    if (!identical(S$ev, ev)) break
                }
            }
            if (identical(S$ev, ev)) {
                flush_output(S, ev, final = FALSE)
                tick <- tick + 1L
                if (!is.null(S$running) || tick %% 20L == 0L) check_evaluator(S, ev)
            }
        }
        if (busy || !is.null(S$running)) {
            idle_since <- Sys.time()
            Sys.sleep(0.001)
        } else {
            idle <- as.numeric(Sys.time() - idle_since, units = "secs")
            Sys.sleep(if (idle < 0.2) 0.001 else if (idle < 2) 0.004 else if (idle < 10) 0.01 else 0.02)
        }
    }
}

from_host <- function(S, type, payload) {
    i <- reader(payload)
    bad <- function(e) violation(S, paste("a malformed frame from the host:", conditionMessage(e)))
    if (type == TOOLS) {
        tryCatch(read_tools(i), error = bad)
        S$tools_frame <- frame(TOOLS, payload)
        if (is.null(S$ev)) start_evaluator(S)
    } else if (type == EXECUTE) {
        tryCatch({
            eid <- r_raw(i, 8L)
            r_bytes(i)
            max_output <- r_int(i)
            r_int(i)
            r_end(i)
        }, error = bad)
        if (!is.null(S$running) || is.null(S$ev)) violation(S, "EXECUTE while another execution runs or before TOOLS")
        S$running <- eid
        begin(S$ev, eid, max_output)
        to_evaluator(S, frame(EXECUTE, payload))
    } else if (type == STOP) {
        eid <- tryCatch({ e <- r_raw(i, 8L); r_end(i); e }, error = bad)
        if (identical(S$running, eid) && !is.null(S$ev) && !S$ev$interrupted) {
            S$ev$interrupted <- TRUE
            try(tools::pskill(S$ev$pid, SIGINT), silent = TRUE)
        }
    } else if (type == TOOL_RESULT) {
        if (!is.null(S$running) && !is.null(S$ev)) to_evaluator(S, frame(TOOL_RESULT, payload))
    } else if (type == RESET) {
        tryCatch(r_end(i), error = bad)
        if (!is.null(S$running)) violation(S, "RESET during an execution")
        kill_all(S)
        wipe_tmp(S)
        start_evaluator(S)
    } else {
        violation(S, sprintf("unknown frame type %d from the host", type))
    }
}

to_evaluator <- function(S, bytes) {
    # a blocking write: the evaluator reads its control pipe whenever it waits for a frame; one that
    # stopped reading holds the supervisor until the host's deadline kills the worker
    tryCatch({
        writeBin(bytes, S$ev$ctl)
        flush(S$ev$ctl)
    }, error = function(e) NULL) # a dead evaluator: found by check_evaluator
}

# ---- the evaluator's lifetime

start_evaluator <- function(S) {
    dir <- file.path(if (S$sandboxed) "/tmp" else tempdir(), paste0(".poolkit-", paste(sample(c(letters, 0:9), 16L, TRUE), collapse = "")))
    if (!dir.create(dir, mode = "0700")) {
        diag(paste("cannot create", dir))
        quit(save = "no", status = 4L)
    }
    paths <- file.path(dir, c("msg", "out", "err"))
    ev <- new.env(parent = emptyenv())
    # R makes a FIFO when it opens one to write; then the read end, non-blocking, so that neither this
    # open nor the evaluator's waits (a read that finds nothing is an error, "error reading": read_some)
    for (p in paths) close(fifo(p, open = "w+b"))
    ev$msg <- fifo(paths[[1L]], open = "rb", blocking = FALSE)
    ev$out <- fifo(paths[[2L]], open = "rb", blocking = FALSE)
    ev$err <- fifo(paths[[3L]], open = "rb", blocking = FALSE)
    ev$msgbuf <- new.env(parent = emptyenv()); ev$msgbuf$b <- raw()
    fds <- suppressWarnings(as.integer(list.files("/proc/self/fd")))
    fds <- sort(fds[!is.na(fds) & fds > 2L])
    if (any(fds > 9L)) { # the shell below closes descriptors 3 to 9; nothing of the supervisor's may reach the evaluator
        diag(paste("the supervisor holds descriptors past 9:", paste(fds, collapse = " ")))
        quit(save = "no", status = 4L)
    }
    closes <- paste(sprintf("%d>&-", 3:9), collapse = " ")
    q <- function(s) shQuote(s, type = "sh")
    limit <- if (nzchar(S$prlimit)) paste(q(S$prlimit), paste0("--as=", S$address_space), "--") else ""
    cmd <- sprintf("exec %s; exec %s %s --no-echo --no-restore --vanilla %s --args evaluator 3>%s >%s 2>%s", closes, limit,
        q(S$r_binary), q(paste0("--file=", S$script)), q(paths[[1L]]), q(paths[[2L]]), q(paths[[3L]]))
    ev$ctl <- pipe(cmd, open = "wb")
    ev$pid <- NA_integer_
    ev$interrupted <- FALSE
    begin(ev, NULL, 0L)
    deadline <- Sys.time() + 20
    said <- raw()
    while (is.na(ev$pid)) { # its hello: its pid, before any snippet can run
        m <- read_some(ev$msg)
        if (length(m)) {
            ev$msgbuf$b <- c(ev$msgbuf$b, m)
            frames <- tryCatch(take_frames(ev$msgbuf), poolkit_protocol = function(e) list())
            if (length(frames)) {
                f <- frames[[1L]]
                if (f$type != HELLO || length(f$payload) != 4L) break
                ev$pid <- readBin(f$payload, "integer", size = 4L, endian = "big")
            }
        }
        said <- c(said, read_all(ev$out), read_all(ev$err))
        if (is.na(ev$pid) && Sys.time() > deadline) break
        if (is.na(ev$pid)) Sys.sleep(0.002)
    }
    unlink(dir, recursive = TRUE, force = TRUE) # nobody else opens them now
    if (is.na(ev$pid)) {
        diag(paste("the R evaluator did not start:", as_string(utils::tail(said, 2000L))))
        quit(save = "no", status = 4L)
    }
    S$ev <- ev
    to_evaluator(S, S$tools_frame)
}

begin <- function(ev, eid, max_output) {
    ev$eid <- eid
    ev$max_output <- max_output
    ev$interrupted <- FALSE
    ev$taken <- 0
    ev$sent_bytes <- 0
    ev$sent_frames <- 0L
    ev$buffers <- list(raw(), raw())
    ev$since <- NULL
}

drain_output <- function(S, ev) {
    got <- FALSE
    for (stream in 1:2) {
        con <- if (stream == 1L) ev$out else ev$err
        repeat {
            b <- read_some(con)
            if (!length(b)) break
            got <- TRUE
            if (!is.null(S$running)) take_output(ev, stream, b)
        }
    }
    got
}

take_output <- function(ev, stream, data) {
    room <- ev$max_output + 1 - ev$taken # one byte past the cap shows the host the limit was hit
    if (room <= 0) return(invisible())
    if (length(data) > room) data <- data[seq_len(room)]
    ev$taken <- ev$taken + length(data)
    ev$buffers[[stream]] <- c(ev$buffers[[stream]], data)
    if (is.null(ev$since)) ev$since <- Sys.time()
}

# OUTPUT frames within the host's rule: at most 16 and one per 256 bytes; two are kept for the final flush.
flush_output <- function(S, ev, final) {
    pending <- length(ev$buffers[[1L]]) + length(ev$buffers[[2L]])
    if (pending == 0) return(invisible())
    if (!final) {
        due <- pending >= 4096 || (!is.null(ev$since) && as.numeric(Sys.time() - ev$since, units = "secs") >= 0.05)
        allowed <- ev$sent_frames + 4 <= FREE_OUTPUT_FRAMES + (ev$sent_bytes + pending) %/% BYTES_PER_OUTPUT_FRAME
        if (!(due && allowed)) return(invisible())
    }
    for (stream in 1:2) {
        buf <- ev$buffers[[stream]]
        while (length(buf)) {
            n <- min(length(buf), OUTPUT_CHUNK)
            chunk <- buf[seq_len(n)]
            buf <- if (length(buf) > n) buf[(n + 1L):length(buf)] else raw()
            ev$sent_frames <- ev$sent_frames + 1L
            ev$sent_bytes <- ev$sent_bytes + n
            send_host(S, OUTPUT, c(ev$eid, as.raw(stream), int4(n), chunk))
        }
        ev$buffers[[stream]] <- raw()
    }
    ev$since <- NULL
}

from_evaluator <- function(S, type, payload) {
    ev <- S$ev
    if (is.null(S$running)) violation(S, sprintf("the evaluator sent a frame of type %d while no execution runs", type))
    i <- reader(payload)
    bad <- function(e) violation(S, paste("a malformed frame from the evaluator:", conditionMessage(e)))
    eid <- tryCatch(r_raw(i, 8L), error = bad)
    if (!identical(eid, S$running)) violation(S, "the evaluator sent a frame for another execution")
    if (type == TOOL_CALL) {
        flush_output(S, ev, final = FALSE)
        send_host(S, TOOL_CALL, payload)
    } else if (type == RESULT) {
        fields <- tryCatch({
            status <- r_byte(i)
            value <- r_bytes(i)
            error_class <- r_bytes(i, 1024L)
            message <- r_bytes(i)
            trace <- r_bytes(i)
            r_bytes(i, 4096L)
            r_end(i)
            list(status, value, error_class, message, trace)
        }, error = bad)
        finish(S, fields[[1L]], lapply(fields[2:5], function(b) c(int4(length(b)), b)))
    } else {
        violation(S, sprintf("the evaluator may not send frames of type %d", type))
    }
}

finish <- function(S, status, encoded) {
    ev <- S$ev
    drain_output(S, ev) # what it wrote before its result is in the FIFOs already
    flush_output(S, ev, final = TRUE)
    leftover <- cut_text(leftovers(S), 1300L)
    eid <- S$running
    S$running <- NULL
    send_host(S, RESULT, c(eid, as.raw(status), unlist(encoded, use.names = FALSE), str_bytes(leftover)))
}

fail_running <- function(S, message) {
    finish(S, FAILED, list(str_bytes(""), str_bytes(""), str_bytes(message), str_bytes("")))
}

# Processes of the sandbox other than init, this one and the evaluator (or, unsandboxed, the evaluator's descendants).
others <- function(S) {
    ev_pid <- if (is.null(S$ev)) -1L else S$ev$pid
    if (!S$sandboxed) return(if (ev_pid > 0L) Filter(alive, descendants(ev_pid)) else integer())
    p <- setdiff(running_pids(), c(1L, S$me, ev_pid))
    Filter(alive, p)
}

# Threads and processes the snippet left running, after a grace of 100 ms for those about to end.
leftovers <- function(S) {
    deadline <- Sys.time() + 0.1
    repeat {
        found <- character()
        ev <- S$ev
        threads <- length(list.files(sprintf("/proc/%d/task", ev$pid))) - 1L
        if (threads > 0L) found <- c(found, sprintf("%d thread%s of the evaluator", threads, if (threads == 1L) "" else "s"))
        pids <- others(S)
        for (p in utils::head(pids, 10L)) found <- c(found, sprintf("process %d (%s)", p, proc_comm(p)))
        if (length(pids) > 10L) found <- c(found, sprintf("and %d more processes", length(pids) - 10L))
        if (!length(found) || Sys.time() >= deadline) return(paste(found, collapse = ", "))
        Sys.sleep(0.005)
    }
}

check_evaluator <- function(S, ev) {
    if (alive(ev$pid)) return(invisible())
    status <- tryCatch(close(ev$ctl), error = function(e) NULL) # reaps it
    ev$ctl <- NULL
    how <- if (is.numeric(status) && length(status) == 1L) {
        if (status %% 256L != 0L) sprintf("was killed by signal %d", status %% 128L) else sprintf("exited with status %d", status %/% 256L)
    } else "ended"
    if (is.null(S$running)) {
        diag(paste("the evaluator", how, "between executions"))
        kill_all(S)
        quit(save = "no", status = 4L)
    }
    drain_output(S, ev)
    fail_running(S, paste("the R evaluator", how, "(the snippet ended it: quit(), a signal or the kernel)"))
    kill_all(S)
}

# Every process but this one (and the sandbox's init) ends: the evaluator and all it started. The
# host's seccomp filter refuses kill(-1) here too, so each one is killed by its pid, again until none is left.
kill_all <- function(S) {
    ev <- S$ev
    S$ev <- NULL
    victims <- if (!is.null(ev) && !S$sandboxed && !is.na(ev$pid)) descendants(ev$pid) else integer()
    if (!is.null(ev) && !is.na(ev$pid)) try(tools::pskill(ev$pid, SIGKILL), silent = TRUE)
    if (S$sandboxed) {
        deadline <- Sys.time() + 5
        repeat {
            p <- setdiff(running_pids(), c(1L, S$me))
            p <- Filter(alive, p)
            if (!length(p)) break
            if (Sys.time() > deadline) { # one could open the next evaluator's FIFOs: this worker is not used again
                diag(sprintf("%d processes outlived 5 s of SIGKILL: %s", length(p), paste(utils::head(p, 10L), collapse = " ")))
                quit(save = "no", status = 4L)
            }
            try(tools::pskill(p, SIGKILL), silent = TRUE)
            Sys.sleep(0.002)
        }
    } else if (length(victims)) {
        try(tools::pskill(victims, SIGKILL), silent = TRUE)
    }
    if (!is.null(ev)) {
        for (con in list(ev$msg, ev$out, ev$err)) try(close(con), silent = TRUE)
        if (!is.null(ev$ctl)) try(close(ev$ctl), silent = TRUE) # pclose reaps the evaluator
    }
}

wipe_tmp <- function(S) {
    if (!S$sandboxed) return(invisible()) # unsandboxed, /tmp is the host's
    # every real directory, level by level and never through a symlink (a recursive list.files() follows
    # symlinked directories: two links to /tmp in /tmp make 2^40 paths); one a snippet locked (mode 0) is
    # opened first: unlink() would leave it
    found <- character()
    dirs <- "/tmp"
    while (length(dirs)) {
        Sys.chmod(dirs[file.access(dirs, 7L) != 0L], "0700", use_umask = FALSE)
        e <- list.files(dirs, all.files = TRUE, full.names = TRUE, no.. = TRUE)
        dirs <- e[dir.exists(e) & !nzchar(Sys.readlink(e))]
        found <- c(found, dirs)
    }
    # the deepest first, so that no unlink() recurses more than a level (R's own recursion stops at its C
    # stack: a tree 2000 levels deep stayed). What has no path within PATH_MAX stays.
    unlink(rev(found), recursive = TRUE, force = TRUE)
    unlink(list.files("/tmp", all.files = TRUE, no.. = TRUE, full.names = TRUE), recursive = TRUE, force = TRUE)
}

# ---------------------------------------------------------------- the evaluator

EV <- new.env(parent = emptyenv())
UNCAUGHT <- quote(invokeRestart("poolkit_uncaught"))

ev_send <- function(type, payload) {
    if (Sys.getpid() != EV$pid) quit(save = "no", status = 0L) # a process the snippet forked came back here: it has nothing to say
    writeBin(frame(type, payload), EV$msg)
    flush(EV$msg)
}

ev_read_frame <- function() {
    h <- readBin(EV$ctl, "raw", 5L)
    if (length(h) < 5L) return(NULL)
    n <- readBin(h[1:4], "integer", size = 4L, endian = "big")
    if (is.na(n) || n < 1L || n > MAX_LENGTH) stop(protocol_error("frame length"))
    p <- if (n > 1L) readBin(EV$ctl, "raw", n - 1L) else raw()
    if (length(p) != n - 1L) return(NULL)
    list(type = as.integer(h[5L]), payload = p)
}

tool_error <- function(msg) structure(class = c("poolkit_tool_error", "error", "condition"), list(message = msg, call = NULL))

tool_call <- function(name, args) {
    if (!isTRUE(EV$running)) stop(tool_error("tools can be called only while an execution runs"))
    if (EV$calls >= EV$max_calls) {
        stop(tool_error(sprintf("tool call limit reached: at most %d tool calls per execution (Limits.maxToolCalls)", EV$max_calls)))
    }
    if (!is.character(name) || length(name) != 1L || is.na(name) || length(charToRaw(utf8(name))) > 1024L) {
        stop(tool_error("a tool name is one string of at most 1024 bytes"))
    }
    EV$next_call <- EV$next_call + 1L
    call <- EV$next_call
    body <- w_value(args, "arguments")
    if (body[[1L]] == as.raw(V_LIST)) body <- c(as.raw(V_MAP), int4(0L)) # no arguments: an empty map
    payload <- c(EV$eid, int4(0L), int4(call), str_bytes(name), body)
    if (length(payload) + 1L > MAX_LENGTH) {
        stop(tool_error(sprintf("the arguments take %d bytes, more than a frame holds (%d)", length(payload), MAX_LENGTH)))
    }
    EV$calls <- EV$calls + 1L
    flush_std()
    suspendInterrupts(ev_send(TOOL_CALL, payload))
    repeat {
        f <- suspendInterrupts(ev_read_frame())
        if (is.null(f)) quit(save = "no", status = 0L)
        if (f$type != TOOL_RESULT) stop(protocol_error(sprintf("frame %d during a tool call", f$type)))
        i <- reader(f$payload)
        if (!identical(r_raw(i, 8L), EV$eid) || !identical(r_raw(i, 8L), c(int4(0L), int4(call)))) next # an abandoned call's answer
        if (r_byte(i) != 0L) {
            v <- r_value(i)
            r_end(i)
            return(v)
        }
        msg <- r_string(i)
        r_end(i)
        stop(tool_error(msg))
    }
}

merge_args <- function(name, params, args) {
    nm <- names(args)
    if (is.null(nm)) nm <- rep("", length(args))
    positional <- args[nm == ""]
    if (length(positional) > length(params)) {
        stop(sprintf("%s() takes %d arguments (%s) but %d were given", name, length(params), paste(params, collapse = ", "),
            length(positional)), call. = FALSE)
    }
    merged <- list()
    for (k in seq_along(positional)) merged[params[[k]]] <- list(positional[[k]])
    for (k in which(nm != "")) {
        if (nm[[k]] %in% names(merged)) stop(sprintf("%s() got multiple values for argument '%s'", name, nm[[k]]), call. = FALSE)
        merged[nm[[k]]] <- list(args[[k]])
    }
    if (!length(merged)) names(merged) <- character()
    merged
}

make_tool <- function(name, description, params) {
    force(name); force(params)
    f <- function(...) tool_call(name, merge_args(name, params, list(...)))
    attr(f, "description") <- description
    f
}

tools_object <- function(specs) {
    names_sorted <- sort(vapply(specs, function(s) s$name, ""))
    list(
        call = function(name, ...) {
            args <- list(...)
            if (length(args) == 1L && is.null(names(args)) && is.list(args[[1L]])) args <- args[[1L]] # tools$call("x", list(id = 1))
            if (!length(args)) args <- structure(list(), names = character())
            tool_call(name, args)
        },
        names = function() names_sorted,
        describe = function(name) {
            for (s in specs) if (identical(s$name, name)) return(sprintf("%s(%s): %s", s$name, paste(s$params, collapse = ", "), s$description))
            stop(sprintf("no tool '%s'", name), call. = FALSE)
        })
}

flush_std <- function() {
    try(flush(stdout()), silent = TRUE)
    try(flush(stderr()), silent = TRUE)
}

# A stale interrupt (a STOP that crossed the execution's end) is taken here, before the next snippet runs.
absorb_interrupt <- function() {
    tryCatch(allowInterrupts({
        k <- 0L
        while (k < 2100L) k <- k + 1L
    }), interrupt = function(e) NULL)
}

# A generic called as the snippet's own code would call it: its S3 methods (in the global
# environment) dispatch, which they do not from the worker's environment (its parent is base).
in_global <- function(generic, x) eval(call(generic, quote(.poolkit_x)), list2env(list(.poolkit_x = x), parent = globalenv()))

safe_text <- function(f, fallback) {
    tryCatch(suspendInterrupts({
        s <- f()
        if (is.character(s) && length(s) >= 1L && !is.na(s[[1L]])) paste(unclass(s), collapse = "\n") else fallback
    }), error = function(e) fallback, interrupt = function(e) fallback)
}

class_of <- function(e) {
    cl <- attr(e, "class", exact = TRUE)
    if (is.character(cl) && length(cl) >= 1L && !is.na(cl[[1L]])) cut_text(cl[[1L]], 200L) else "?"
}

message_of <- function(e) {
    m <- safe_text(function() in_global("conditionMessage", e), NA_character_)
    if (is.na(m)) sprintf("%s (its message could not be shown)", class_of(e)) else cut_text(m, MAX_TEXT_CHARS)
}

call_text <- function(call) {
    s <- tryCatch(deparse(call, nlines = 1L, width.cutoff = 120L), error = function(e) "?")
    if (!length(s)) "?" else s[[1L]]
}

# the snippet's own calls: those after the evaluator's eval(), without the error's handlers
trace_of <- function(e, calls) {
    cl <- tryCatch(conditionCall(e), error = function(x) NULL)
    lines <- if (is.call(cl)) sprintf("Error in %s : %s", call_text(cl), message_of(e)) else sprintf("Error: %s", message_of(e))
    at <- which(vapply(calls, function(c) identical(c, quote(eval(ex, globalenv()))), NA))
    if (length(at) && length(calls) > at[[1L]]) {
        own <- calls[(at[[1L]] + 1L):length(calls)]
        heads <- vapply(own, function(c) { h <- c[[1L]]; if (is.symbol(h)) as.character(h) else "" }, "")
        own <- own[!heads %in% c("stop", ".handleSimpleError", "h", "eval", "withVisible")]
        if (length(own)) lines <- c(lines, paste("Calls:", paste(vapply(utils::head(own, 30L), call_text, ""), collapse = " -> ")))
    }
    cut_text(paste(lines, collapse = "\n"), MAX_TEXT_CHARS)
}

run_snippet <- function(code) {
    exprs <- tryCatch(parse(text = code, keep.source = FALSE, encoding = "UTF-8"), error = function(e) e)
    if (inherits(exprs, "error")) {
        return(list(COMPILE_ERROR, "", class_of(exprs), message_of(exprs), ""))
    }
    while (sink.number() > 0L) sink()
    options(error = UNCAUGHT) # again: a snippet before may have changed it
    calls <- NULL
    EV$running <- TRUE
    on.exit(EV$running <- FALSE)
    absorb_interrupt()
    withRestarts(tryCatch(withCallingHandlers({
        last <- list(value = NULL, visible = FALSE)
        allowInterrupts({
            for (ex in exprs) last <- withVisible(eval(ex, globalenv()))
            text <- if (last$visible) paste(utils::capture.output(in_global("print", last$value)), collapse = "\n") else ""
        })
        text <- utf8(text)
        if (nchar(text) > MAX_VALUE_CHARS) {
            text <- paste0(substr(text, 1L, MAX_VALUE_CHARS), sprintf("... (%d more characters cut)", nchar(text) - MAX_VALUE_CHARS))
        }
        list(OK, text, "", "", "")
    }, warning = function(w) {
        try(cat("Warning: ", message_of(w), "\n", sep = "", file = stderr()), silent = TRUE)
        invokeRestart("muffleWarning")
    }, error = function(e) {
        calls <<- sys.calls()
    }), error = function(e) {
        list(EXCEPTION, "", class_of(e), message_of(e), trace_of(e, calls))
    }, interrupt = function(e) {
        list(EXCEPTION, "", "interrupt", "the snippet was interrupted (SIGINT)", "")
    }), poolkit_uncaught = function() {
        list(EXCEPTION, "", "condition", "stop() was given a condition that is not an error", "")
    })
}

evaluator <- function() {
    EV$pid <- Sys.getpid()
    EV$ctl <- file("stdin", "rb")
    EV$msg <- file("/proc/self/fd/3", "wb")
    EV$running <- FALSE
    EV$eid <- raw(8L)
    EV$calls <- 0L
    EV$max_calls <- 0L
    EV$next_call <- 0L
    # stop() with a condition that is not an error reaches R's default handler, which ends a
    # non-interactive R; this turns it into the snippet's exception
    options(error = UNCAUGHT)
    ev_send(HELLO, int4(EV$pid))
    f <- ev_read_frame()
    if (is.null(f) || f$type != TOOLS) quit(save = "no", status = 70L)
    specs <- read_tools(reader(f$payload))
    env <- new.env(parent = emptyenv())
    for (s in specs) if (make.names(s$name) == s$name) assign(s$name, make_tool(s$name, s$description, s$params), envir = env)
    assign("tools", tools_object(specs), envir = env)
    attach(env, name = "poolkit:tools", warn.conflicts = FALSE)
    repeat {
        f <- ev_read_frame()
        if (is.null(f)) quit(save = "no", status = 0L)
        if (f$type == TOOL_RESULT) next # the answer to a call that was interrupted
        if (f$type != EXECUTE) stop(protocol_error(sprintf("unexpected frame %d", f$type)))
        i <- reader(f$payload)
        eid <- r_raw(i, 8L)
        code <- r_string(i)
        r_int(i)
        max_calls <- r_int(i)
        r_end(i)
        EV$eid <- eid
        EV$calls <- 0L
        EV$max_calls <- max_calls
        outcome <- run_snippet(code)
        flush_std()
        ev_send(RESULT, c(eid, as.raw(outcome[[1L]]), str_bytes(outcome[[2L]]), str_bytes(outcome[[3L]]), str_bytes(outcome[[4L]]),
            str_bytes(outcome[[5L]]), str_bytes("")))
    }
}

# ---------------------------------------------------------------- start-up

args <- commandArgs(trailingOnly = TRUE)
if (identical(args, "evaluator")) {
    status <- tryCatch(suspendInterrupts({
        evaluator()
        0L
    }), error = function(e) {
        diag(paste("the evaluator failed:", conditionMessage(e)))
        70L
    })
    quit(save = "no", status = status)
}
if (length(args) != 8L || args[[1L]] != "supervisor" || !args[[4L]] %in% c("sandbox", "plain")) {
    diag("usage: poolkit_worker.R supervisor IN OUT sandbox|plain ADDRESS_SPACE R_BINARY PRLIMIT SCRIPT (token on stdin)")
    quit(save = "no", status = 2L)
}
status <- tryCatch({
    supervisor(args)
    0L
}, error = function(e) {
    diag(paste("the supervisor failed:", conditionMessage(e)))
    3L
})
quit(save = "no", status = status)

}, envir = new.env(parent = baseenv()))
