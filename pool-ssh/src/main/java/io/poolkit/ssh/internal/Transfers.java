package io.poolkit.ssh.internal;

import io.poolkit.ssh.RemoteFile;
import io.poolkit.ssh.SshException;
import io.poolkit.ssh.SshTarget;
import io.poolkit.ssh.TransferResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One-call uploads and downloads over SFTP: streamed (memory bounded by {@link SftpSessionImpl#BUFFER}
 * per direction, whatever the file's size), written under a temporary name in the destination's
 * directory and renamed over the destination only when complete, with the source's permission bits.
 *
 * <p>A timeout closes the SFTP channel, which ends whatever waits on it; an interrupt ends the wait
 * that sees it. Either way, and on any other failure, the temporary file is removed (on the same
 * channel when it still works, else on a fresh one, bounded by {@code killGrace}) and the channel's
 * permit is released.
 */
final class Transfers {
    private static final Logger log = LoggerFactory.getLogger(Transfers.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int TIMED_OUT = 2;
    private static final int SHUT_DOWN = 3;

    private final ChannelSource source;
    /** The transfers under way (their watchdogs), which shutdown waits for and then stops. */
    private final Set<Watchdog> running = ConcurrentHashMap.newKeySet();

    Transfers(ChannelSource source) {
        this.source = source;
    }

    /**
     * Waits until the transfers under way have ended or {@code deadline} (a {@link System#nanoTime()})
     * passed.
     *
     * @return whether none is left
     */
    boolean awaitEnd(long deadline) throws InterruptedException {
        for (Watchdog dog : List.copyOf(running)) {
            try {
                dog.ended.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return false;
            } catch (ExecutionException e) {
                // ended
            }
        }
        return running.isEmpty();
    }

    /**
     * Stops the transfers still under way at shutdown, as a timeout stops them (their temporary files
     * removed), and waits up to {@code boundNanos} for them to end.
     */
    void stopAll(long boundNanos) throws InterruptedException {
        List<Watchdog> left = List.copyOf(running);
        left.forEach(Watchdog::shutDown);
        long deadline = System.nanoTime() + boundNanos;
        for (Watchdog dog : left) {
            try {
                dog.ended.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                log.warn("{} - a transfer on {} still running at shutdown did not end in time", source.name(), dog.sftp.target());
                return;
            } catch (ExecutionException e) {
                // ended
            }
        }
    }

    TransferResult upload(SshTarget target, Path local, String remote, Duration timeout) throws IOException, InterruptedException {
        long start = System.nanoTime();
        checkRemote(remote);
        if (!Files.exists(local)) {
            throw new NoSuchFileException(local.toString(), null, source.name() + " - upload to " + target
                    + ": the local file does not exist");
        }
        if (!Files.isRegularFile(local)) {
            throw new FileSystemException(local.toString(), null, source.name() + " - upload to " + target
                    + ": not a regular file (a directory?); upload copies one file");
        }
        if (!Files.isReadable(local)) {
            throw new AccessDeniedException(local.toString(), null, source.name() + " - upload to " + target
                    + ": the local file is not readable");
        }
        int mode = localMode(local);
        String temp = tempName(remote);
        long budget = Engine.nanos(timeout);
        try (SftpSessionImpl sftp = SftpSessionImpl.open(source, target, budget);
             Watchdog dog = track(new Watchdog(sftp, budget - (System.nanoTime() - start)))) {
            boolean created = false;
            try {
                long bytes;
                try (InputStream in = Files.newInputStream(local)) {
                    OutputStream out;
                    try {
                        out = sftp.create(temp, mode);
                    } catch (IOException e) {
                        throw sftp.failure("upload: create", parentOf(remote) + " (for " + remote + ")", e);
                    }
                    created = true;
                    bytes = copy(sftp, in, out, true);
                }
                sftp.rename(temp, remote);
                created = false;
                dog.done();
                return new TransferResult(target, local, remote, bytes, Duration.ofNanos(System.nanoTime() - start));
            } catch (IOException | RuntimeException e) {
                int stopped = dog.failed();
                if (created) {
                    removeRemote(target, sftp, temp);
                }
                throw outcome(e, stopped, "upload of " + local + " to " + remote + " on " + target, timeout);
            }
        }
    }

    TransferResult download(SshTarget target, String remote, Path local, Duration timeout) throws IOException, InterruptedException {
        long start = System.nanoTime();
        checkRemote(remote);
        Path absolute = local.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new NoSuchFileException(String.valueOf(dir), null, source.name() + " - download of " + remote + " from " + target
                    + ": the local directory does not exist");
        }
        if (Files.isDirectory(absolute)) {
            throw new FileSystemException(local.toString(), null, source.name() + " - download of " + remote + " from " + target
                    + ": a directory is in the way; name the file to write");
        }
        long budget = Engine.nanos(timeout);
        try (SftpSessionImpl sftp = SftpSessionImpl.open(source, target, budget);
             Watchdog dog = track(new Watchdog(sftp, budget - (System.nanoTime() - start)))) {
            Path temp = null;
            try {
                RemoteFile file = sftp.stat(remote);
                if (file.isDirectory()) {
                    throw new FileSystemException(remote, null, source.name() + " - download from " + target
                            + ": a directory; download copies one file");
                }
                temp = localTemp(dir, absolute.getFileName().toString());
                long bytes;
                try (OutputStream out = Files.newOutputStream(temp)) {
                    bytes = copy(sftp, sftp.read(remote), out, false);
                }
                PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
                if (view != null) {
                    view.setPermissions(file.permissions());
                }
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                temp = null;
                dog.done();
                return new TransferResult(target, local, remote, bytes, Duration.ofNanos(System.nanoTime() - start));
            } catch (IOException | RuntimeException e) {
                int stopped = dog.failed();
                if (temp != null) {
                    try {
                        Files.deleteIfExists(temp);
                    } catch (IOException x) {
                        log.warn("{} - could not remove the temporary file {}: {}", source.name(), temp, x.toString());
                    }
                }
                throw outcome(e, stopped, "download of " + remote + " from " + target + " to " + local, timeout);
            }
        }
    }

    /**
     * Copies {@code in} to {@code out} and closes the SFTP side. When the copy fails (an interrupt, the
     * watchdog, an error) the channel is closed first: a graceful close of the SFTP stream would wait for
     * every pending reply, which an interrupted or stalled transfer may never get.
     */
    private static long copy(SftpSessionImpl sftp, InputStream in, OutputStream out, boolean sftpIsOut) throws IOException {
        boolean copied = false;
        try {
            long bytes = in.transferTo(out);
            copied = true;
            return bytes;
        } finally {
            if (!copied) {
                sftp.abort();
            }
            try {
                (sftpIsOut ? out : in).close();
            } catch (IOException e) {
                if (copied) {
                    throw e;
                }
            }
        }
    }

    /** Throws what the caller gets: a timeout, an interrupt, or the failure itself. */
    private RuntimeException outcome(Exception e, int stopped, String what, Duration timeout)
            throws IOException, InterruptedException {
        if (stopped == TIMED_OUT) {
            throw new SshException(source.name() + " - " + what + " did not finish within " + timeout.toMillis()
                    + " ms; it was stopped and its temporary file removed", e);
        }
        if (stopped == SHUT_DOWN) {
            throw new SshException(source.name() + " - the pool was shut down during the " + what + ", which was still running"
                    + " when the shutdown grace ended; it was stopped and its temporary file removed", e);
        }
        if (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)) {
            InterruptedException x = new InterruptedException("interrupted during the " + what + "; its temporary file was removed");
            x.initCause(e);
            throw x;
        }
        if (e instanceof FileSystemException io) {
            throw io;
        }
        if (e instanceof IOException io) {
            // MINA's own failures (a lost connection: "Write attempt on closing session") name neither path nor host
            throw new IOException(source.name() + " - " + what + " failed: " + io.getMessage(), io);
        }
        throw (RuntimeException) e;
    }

    /** Removes a remote temporary file: on {@code sftp} while it works, else on a fresh channel; bounded, never thrown. */
    private void removeRemote(SshTarget target, SftpSessionImpl sftp, String temp) {
        boolean interrupted = Thread.interrupted();
        try {
            if (sftp.isOpen()) {
                Watchdog dog = new Watchdog(sftp, source.killGrace().toNanos());
                try {
                    sftp.client().remove(temp);
                    return;
                } catch (IOException e) {
                    log.debug("{} - removing {} on {} on the same channel: {}", source.name(), temp, target, e.toString());
                } finally {
                    dog.done();
                }
            }
            try (SftpSessionImpl fresh = SftpSessionImpl.open(source, target, source.killGrace().toNanos())) {
                Watchdog dog = new Watchdog(fresh, source.killGrace().toNanos());
                try {
                    fresh.client().remove(temp);
                } finally {
                    dog.done();
                }
            } catch (IOException | RuntimeException | InterruptedException e) {
                log.warn("{} - could not remove the temporary file {} on {}: {}", source.name(), temp, target, e.toString());
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void checkRemote(String remote) {
        if (remote == null || remote.isBlank() || remote.endsWith("/")) {
            throw new IllegalArgumentException("remote must name a file, but was " + (remote == null ? "null" : "'" + remote + "'"));
        }
        if (remote.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("remote must not contain a NUL character");
        }
    }

    static String parentOf(String remote) {
        int slash = remote.lastIndexOf('/');
        return slash < 0 ? "." : slash == 0 ? "/" : remote.substring(0, slash);
    }

    /** A hidden name beside {@code remote}, in the same directory, so the rename stays within one file system. */
    static String tempName(String remote) {
        int slash = remote.lastIndexOf('/');
        byte[] token = new byte[6];
        RANDOM.nextBytes(token);
        return remote.substring(0, slash + 1) + "." + remote.substring(slash + 1) + ".poolkit-" + HexFormat.of().formatHex(token)
                + ".tmp";
    }

    private static Path localTemp(Path dir, String name) throws IOException {
        if (Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return Files.createTempFile(dir, "." + name + ".", ".poolkit.tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        }
        return Files.createTempFile(dir, "." + name + ".", ".poolkit.tmp");
    }

    private static int localMode(Path local) throws IOException {
        PosixFileAttributeView view = Files.getFileAttributeView(local, PosixFileAttributeView.class);
        return view == null ? 0644 : SftpSessionImpl.mode(view.readAttributes().permissions());
    }

    private Watchdog track(Watchdog dog) {
        dog.tracked = true;
        running.add(dog);
        return dog;
    }

    /**
     * Closes the session's channel when the deadline passes first, or when shutdown stops the transfer,
     * which ends whatever waits on it. {@link #done()} disarms it; {@link #failed()} says what fired.
     * Closing a tracked one says that its transfer ended, cleanup included.
     */
    private final class Watchdog implements AutoCloseable {
        private final AtomicInteger state = new AtomicInteger(RUNNING);
        private final SftpSessionImpl sftp;
        /** Completes once the transfer ended (its temporary file removed, its channel closed). */
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        boolean tracked;

        Watchdog(SftpSessionImpl sftp, long nanos) {
            this.sftp = sftp;
            if (nanos <= 0) {
                state.set(TIMED_OUT);
                sftp.abort();
                return;
            }
            if (nanos < TimeUnit.DAYS.toNanos(365)) {
                CompletableFuture.delayedExecutor(nanos, TimeUnit.NANOSECONDS, source.executor()).execute(() -> {
                    if (state.compareAndSet(RUNNING, TIMED_OUT)) {
                        log.debug("{} - a transfer on {} timed out; closing its channel", source.name(), sftp.target());
                        sftp.abort();
                    }
                });
            }
        }

        void shutDown() {
            if (state.compareAndSet(RUNNING, SHUT_DOWN)) {
                log.debug("{} - a transfer on {} still runs at shutdown; closing its channel", source.name(), sftp.target());
                sftp.abort();
            }
        }

        void done() {
            state.compareAndSet(RUNNING, DONE);
        }

        /** @return {@link #TIMED_OUT} or {@link #SHUT_DOWN} when it fired, else {@link #DONE} */
        int failed() {
            done();
            return state.get();
        }

        @Override
        public void close() {
            done();
            if (tracked) {
                // the channel closed and its permit back before shutdown hears that the transfer ended
                sftp.close();
                running.remove(this);
                ended.complete(null);
            }
        }
    }
}
