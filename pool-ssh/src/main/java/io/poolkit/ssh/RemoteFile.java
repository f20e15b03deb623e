package io.poolkit.ssh;

import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One remote file or directory as the SFTP server describes it. Immutable.
 *
 * @param name the file's name (in a listing: without its directory; from {@code stat}: the path asked for)
 * @param size its size in bytes (0 when the server did not say)
 * @param permissions its permission bits (owner, group, others; setuid and the like are not shown)
 * @param modified its last modification time ({@link Instant#EPOCH} when the server did not say)
 * @param isDirectory whether it is a directory
 */
public record RemoteFile(String name, long size, Set<PosixFilePermission> permissions, Instant modified, boolean isDirectory) {
    /** Copies the permissions; checks for nulls. */
    public RemoteFile {
        Objects.requireNonNull(name, "name");
        permissions = Set.copyOf(permissions);
        Objects.requireNonNull(modified, "modified");
    }
}
