package io.poolkit.ssh;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * An SFTP channel on a pooled connection, from {@link SshPool#sftp}: a lease on one session-channel
 * permit (like an exec), held until {@link #close()}. Paths are the server's: absolute, or relative to
 * the login's home directory.
 *
 * {@snippet class=io.poolkit.ssh.snippets.SshSnippets region=sftp}
 *
 * <p>Errors are {@link IOException}s that name the path: {@link java.nio.file.NoSuchFileException},
 * {@link java.nio.file.AccessDeniedException}, {@link java.nio.file.FileAlreadyExistsException}, or
 * {@link java.nio.file.FileSystemException} with the server's message; an interrupt of the calling
 * thread ends a waiting call with {@link java.io.InterruptedIOException}. A failed call leaves the
 * session usable unless the channel itself was lost. Not for concurrent use by several threads: take
 * one session per thread. After {@link #close()} every call throws {@link IllegalStateException}.
 */
public interface SftpSession extends AutoCloseable {

    /** @return the host */
    SshTarget target();

    /**
     * @param dir a directory
     * @return its entries without "." and "..", in the server's order
     * @throws IOException when it is missing, not a directory or not readable
     */
    List<RemoteFile> list(String dir) throws IOException;

    /**
     * @param path a file or directory (a symbolic link is followed)
     * @return what the server says of it; its name is {@code path}
     * @throws IOException when it is missing or cannot be read
     */
    RemoteFile stat(String path) throws IOException;

    /**
     * @param path a file
     * @return its content, streamed (read-ahead is bounded); close it before the session
     * @throws IOException when it is missing or not readable
     */
    InputStream read(String path) throws IOException;

    /**
     * Writes {@code path} in place, created or truncated (for an atomic replace, use
     * {@link SshPool#upload}).
     *
     * @param path a file
     * @return a stream to its content; close it to finish the write (errors may surface there)
     * @throws IOException when it cannot be created or written
     */
    OutputStream write(String path) throws IOException;

    /**
     * @param path the new directory (its parent must exist)
     * @throws IOException when it exists or cannot be created
     */
    void mkdir(String path) throws IOException;

    /**
     * Removes a file, or an empty directory.
     *
     * @param path what to remove
     * @throws IOException when it is missing, a directory that is not empty, or not removable
     */
    void remove(String path) throws IOException;

    /**
     * Renames {@code from} to {@code to}, replacing {@code to} when it exists (atomically where the
     * server offers OpenSSH's posix-rename, as OpenSSH does).
     *
     * @param from the existing path
     * @param to the new path
     * @throws IOException when {@code from} is missing or the rename is refused
     */
    void rename(String from, String to) throws IOException;

    /** Closes the channel and frees its permit. Idempotent. */
    @Override
    void close();
}
