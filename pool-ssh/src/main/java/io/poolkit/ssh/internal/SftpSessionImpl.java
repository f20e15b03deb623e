package io.poolkit.ssh.internal;

import io.poolkit.ssh.RemoteFile;
import io.poolkit.ssh.SftpSession;
import io.poolkit.ssh.SshException;
import io.poolkit.ssh.SshTarget;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An SFTP channel held on a dispatcher slot; see {@link SftpSession}. */
final class SftpSessionImpl implements SftpSession {
    private static final Logger log = LoggerFactory.getLogger(SftpSessionImpl.class);
    private static final int MAX_ATTEMPTS = 8;
    /** Read-ahead and write-behind per stream: what bounds a transfer's memory, whatever the file's size. */
    static final int BUFFER = 64 * 1024;

    private final String name;
    private final SshTarget target;
    private final PooledSftpClient client;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** How long close waits for the server's close reply before closing the channel at once. */
    private final long closeWait;

    private SftpSessionImpl(String name, SshTarget target, PooledSftpClient client, long closeWait) {
        this.name = name;
        this.target = target;
        this.client = client;
        this.closeWait = closeWait;
    }

    /**
     * Opens an SFTP channel on a permit of {@code target}'s connections, on another one when the server
     * refuses the channel (its MaxSessions), as an exec does.
     */
    static SftpSessionImpl open(ChannelSource source, SshTarget target, long timeoutNanos) throws InterruptedException {
        long start = System.nanoTime();
        IOException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            Slot slot = source.permit(target, Math.max(0, timeoutNanos - (System.nanoTime() - start)));
            try {
                return new SftpSessionImpl(source.name(), target, PooledSftpClient.open(slot,
                        Math.max(1, timeoutNanos - (System.nanoTime() - start)), source.executor()), Engine.nanos(source.killGrace()));
            } catch (PooledSftpClient.StartTimeoutException | SocketTimeoutException e) {
                // a SocketTimeoutException is MINA's own bound on SFTP's start (an InterruptedIOException, not an interrupt)
                throw new SshException(source.name() + " - SFTP did not start on " + target + " within "
                        + millis(Math.min(timeoutNanos, System.nanoTime() - start)) + " ms (the server did not answer in time);"
                        + " nothing was transferred", e);
            } catch (PooledSftpClient.RefusedException e) {
                last = e;
                log.debug("{} - {} refused an SFTP channel; trying another", source.name(), target);
            } catch (InterruptedIOException e) {
                InterruptedException x = new InterruptedException("interrupted while opening an SFTP channel to " + target);
                x.initCause(e);
                throw x;
            } catch (IOException | RuntimeException e) {
                if (!slot.connection().isOpen()) {
                    // the connection died under the opening channel (a server restart, a dropped link): starting
                    // SFTP changes nothing on the host, so it starts on another connection, as a refused channel does
                    last = e instanceof IOException io ? io : new IOException(e);
                    log.debug("{} - the connection to {} was lost as an SFTP channel opened on it; trying another: {}",
                            source.name(), target, e.toString());
                    continue;
                }
                throw new SshException(source.name() + " - cannot start SFTP on " + target + ": " + e.getMessage()
                        + "; check that the server has the sftp subsystem (Subsystem sftp in sshd_config)", e);
            }
        }
        throw new SshException(source.name() + " - gave up opening an SFTP channel to " + target + " after " + MAX_ATTEMPTS
                + " attempts (each refused by the server or lost with its connection)", last);
    }

    PooledSftpClient client() {
        return client;
    }

    String poolName() {
        return name;
    }

    boolean isOpen() {
        return !closed.get() && client.isOpen();
    }

    /** Closes the channel at once (a timeout): whatever waits on it fails. */
    void abort() {
        client.getClientChannel().close(true);
    }

    private void open() {
        if (closed.get()) {
            throw new IllegalStateException(name + " - SFTP session on " + target + " used after close; get a new one with"
                    + " SshPool.sftp(target)");
        }
    }

    @Override
    public SshTarget target() {
        return target;
    }

    @Override
    public List<RemoteFile> list(String dir) throws IOException {
        open();
        checkPath("dir", dir);
        try {
            List<RemoteFile> files = new ArrayList<>();
            for (SftpClient.DirEntry e : client.readDir(dir)) {
                String n = e.getFilename();
                if (!".".equals(n) && !"..".equals(n)) {
                    files.add(file(n, e.getAttributes()));
                }
            }
            return files;
        } catch (IOException e) {
            throw listFailure(dir, e);
        } catch (UncheckedIOException e) {
            // MINA's directory iterable opens the directory in iterator(), so its failures come unchecked
            throw listFailure(dir, e.getCause());
        }
    }

    /** OpenSSH answers "no such file" for a file listed as a directory: say which it was. */
    private IOException listFailure(String dir, IOException e) {
        if (status(e) == SftpConstants.SSH_FX_NO_SUCH_FILE && Boolean.FALSE.equals(isDirectory(dir))) {
            NotDirectoryException x = new NotDirectoryException(dir);
            x.initCause(e);
            return x;
        }
        return failure("list", dir, e);
    }

    /** @return whether {@code path} is a directory, or null when it is missing or cannot be stat-ed */
    private Boolean isDirectory(String path) {
        try {
            return client.lstat(path).isDirectory();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static int status(IOException e) {
        return e instanceof SftpException s ? s.getStatus() : -1;
    }

    private boolean hasEntries(String dir) {
        try {
            for (SftpClient.DirEntry e : client.readDir(dir)) {
                if (!".".equals(e.getFilename()) && !"..".equals(e.getFilename())) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public RemoteFile stat(String path) throws IOException {
        open();
        checkPath("path", path);
        try {
            return file(path, client.stat(path));
        } catch (IOException e) {
            throw failure("stat", path, e);
        }
    }

    @Override
    public InputStream read(String path) throws IOException {
        open();
        checkPath("path", path);
        try {
            return client.read(path, BUFFER);
        } catch (IOException e) {
            throw failure("read", path, e);
        }
    }

    @Override
    public OutputStream write(String path) throws IOException {
        open();
        checkPath("path", path);
        try {
            return client.write(path, BUFFER, OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
        } catch (IOException e) {
            throw failure("write", path, e);
        }
    }

    /** Creates {@code path}, which must not exist, with the permission bits {@code mode}, and returns a stream to it. */
    OutputStream create(String path, int mode) throws IOException {
        OutputStream out = client.write(path, BUFFER, OpenMode.Write, OpenMode.Create, OpenMode.Exclusive);
        try {
            // while it is still empty: what it will hold is never readable under looser bits
            client.setStat(path, new Attributes().perms(mode & 07777));
            return out;
        } catch (IOException | RuntimeException e) {
            out.close();
            throw e;
        }
    }

    @Override
    public void mkdir(String path) throws IOException {
        open();
        checkPath("path", path);
        try {
            client.mkdir(path);
        } catch (IOException e) {
            // OpenSSH says a plain "Failure" when the path exists
            if (status(e) == SftpConstants.SSH_FX_FAILURE && isDirectory(path) != null) {
                FileAlreadyExistsException x = new FileAlreadyExistsException(path, null, name + " - mkdir on " + target + ": it exists");
                x.initCause(e);
                throw x;
            }
            throw failure("mkdir", path, e);
        }
    }

    @Override
    public void remove(String path) throws IOException {
        open();
        checkPath("path", path);
        boolean directory = false;
        try {
            Attributes a = client.lstat(path);
            directory = a.isDirectory();
            if (directory) {
                client.rmdir(path);
            } else {
                client.remove(path);
            }
        } catch (IOException e) {
            // OpenSSH says a plain "Failure" for a directory that is not empty
            if (directory && status(e) == SftpConstants.SSH_FX_FAILURE && hasEntries(path)) {
                DirectoryNotEmptyException x = new DirectoryNotEmptyException(path);
                x.initCause(e);
                throw x;
            }
            throw failure("remove", path, e);
        }
    }

    @Override
    public void rename(String from, String to) throws IOException {
        open();
        checkPath("from", from);
        checkPath("to", to);
        try {
            OpenSSHPosixRenameExtension posix = client.getExtension(OpenSSHPosixRenameExtension.class);
            if (posix != null && posix.isSupported()) {
                posix.posixRename(from, to);
            } else if (client.getVersion() >= SftpConstants.SFTP_V5) {
                client.rename(from, to, SftpClient.CopyMode.Overwrite, SftpClient.CopyMode.Atomic);
            } else {
                // SFTP v3 without the extension refuses to replace: remove first (not atomic; said in the docs)
                try {
                    client.remove(to);
                } catch (SftpException e) {
                    if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) {
                        throw e;
                    }
                }
                client.rename(from, to);
            }
        } catch (IOException e) {
            throw failure("rename " + from + " to", to, e);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                client.close();
            } catch (IOException e) {
                log.debug("{} - closing an SFTP channel to {}: {}", name, target, e.toString());
                abort();
            }
            // the permit is back before close returns, so the caller's next channel finds it free (as for exec)
            if (!client.awaitReleased(closeWait)) {
                log.debug("{} - the SFTP channel to {} did not close within {} ms; closing it at once", name, target,
                        millis(closeWait));
                abort();
                client.awaitReleased(closeWait);
            }
        }
    }

    private static void checkPath(String what, String path) {
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException(what + " must not be empty, but was " + (path == null ? "null" : "''"));
        }
        if (path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must not contain a NUL character, but was '" + path.replace('\0', '?') + "'");
        }
    }

    static RemoteFile file(String fileName, Attributes a) {
        FileTime m = a.getModifyTime();
        return new RemoteFile(fileName, Math.max(0, a.getSize()), permissions(a.getPermissions()),
                m == null ? Instant.EPOCH : m.toInstant(), a.isDirectory());
    }

    private static final PosixFilePermission[] BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
    };

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BITS.length; i++) {
            if ((mode & (1 << i)) != 0) {
                set.add(BITS[i]);
            }
        }
        return set;
    }

    static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (int i = 0; i < BITS.length; i++) {
            if (permissions.contains(BITS[i])) {
                mode |= 1 << i;
            }
        }
        return mode;
    }

    /** The failure as the JDK's file exceptions say it, naming the path and the host; the cause is MINA's. */
    IOException failure(String operation, String path, IOException e) {
        return failure(name, target, operation, path, e);
    }

    static IOException failure(String name, SshTarget target, String operation, String path, IOException e) {
        if (e instanceof FileSystemException || e instanceof InterruptedIOException) {
            return e;
        }
        String where = name + " - " + operation + " on " + target;
        FileSystemException x;
        if (e instanceof SftpException s) {
            String said = s.getMessage();
            x = switch (s.getStatus()) {
                case SftpConstants.SSH_FX_NO_SUCH_FILE, SftpConstants.SSH_FX_NO_SUCH_PATH ->
                        new NoSuchFileException(path, null, where + ": no such file or directory");
                case SftpConstants.SSH_FX_PERMISSION_DENIED -> new AccessDeniedException(path, null, where + ": permission denied");
                case SftpConstants.SSH_FX_FILE_ALREADY_EXISTS -> new FileAlreadyExistsException(path, null, where + ": it exists");
                case SftpConstants.SSH_FX_DIR_NOT_EMPTY -> new DirectoryNotEmptyException(path);
                case SftpConstants.SSH_FX_NOT_A_DIRECTORY -> new NotDirectoryException(path);
                default -> new FileSystemException(path, null, where + ": " + said);
            };
        } else {
            x = new FileSystemException(path, null, where + " failed: " + e.getMessage());
        }
        x.initCause(e);
        return x;
    }

    @Override
    public String toString() {
        return "SftpSession[" + target + (closed.get() ? ", closed" : "") + "]";
    }

    static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
