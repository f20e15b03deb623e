package io.poolkit.session.internal;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Set;

/**
 * The private directories of the host: a per-user root (mode 0700, owned by this user, not a
 * symlink), and in it one directory per worker for its socket. Another local user can neither see
 * the socket nor swap the worker code.
 */
public final class WorkDirs {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** sun_path holds 108 bytes with its terminating NUL; "/s-xxxxxxxxxxxx/w.sock" takes 22. */
    private static final int MAX_ROOT_LENGTH = 107 - 22;

    private WorkDirs() {
    }

    /** @return {@code <java.io.tmpdir>/poolkit-<user>}, or {@code /tmp/poolkit-<user>} when that is too long for a socket path */
    public static Path defaultRoot() {
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9_.-]", "_");
        Path p = Path.of(System.getProperty("java.io.tmpdir"), "poolkit-" + user).toAbsolutePath();
        if (p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_ROOT_LENGTH) {
            p = Path.of("/tmp", "poolkit-" + user);
        }
        return p;
    }

    /** Creates {@code dir} owner-only if missing, and checks that it is private to this user. */
    public static Path ensurePrivate(Path dir) throws IOException {
        Path d = dir.toAbsolutePath().normalize();
        if (d.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_ROOT_LENGTH) {
            throw new IOException("work directory " + d + " is too long for a unix socket path (at most " + MAX_ROOT_LENGTH
                    + " bytes): choose a shorter workDirectory");
        }
        if (!Files.exists(d, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(d.getParent());
            try {
                Files.createDirectory(d, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException raced) {
                // another thread or process made it: checked below
            }
        }
        if (Files.isSymbolicLink(d) || !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(d + " is not a directory of its own (a symlink or a file): remove it or choose another workDirectory");
        }
        String owner = Files.getOwner(d, LinkOption.NOFOLLOW_LINKS).getName();
        String me = currentUser();
        if (!owner.equals(me)) {
            throw new IOException(d + " belongs to " + owner + ", not to this process's user (" + me
                    + "): another user may have planted it; remove it or choose another workDirectory");
        }
        if (!Files.getPosixFilePermissions(d, LinkOption.NOFOLLOW_LINKS).equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(d, OWNER_ONLY);
        }
        return d;
    }

    /** The owner name of this process's files: the owner of /proc/self where there is one, else user.name. */
    private static String currentUser() throws IOException {
        Path self = Path.of("/proc/self");
        if (Files.exists(self)) {
            return Files.getOwner(self).getName();
        }
        return System.getProperty("user.name");
    }

    /** @return a new owner-only directory in {@code root} for one worker's socket */
    public static Path newSessionDir(Path root) throws IOException {
        for (int attempt = 0;; attempt++) {
            byte[] id = new byte[6];
            RANDOM.nextBytes(id);
            Path d = root.resolve("s-" + HexFormat.of().formatHex(id));
            try {
                return Files.createDirectory(d, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException e) {
                if (attempt > 10) {
                    throw e;
                }
            }
        }
    }

    /** Deletes a worker's directory and what is in it (its socket); quietly. */
    public static void deleteQuietly(Path dir) {
        try (var entries = Files.list(dir)) {
            entries.forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // gone already
        }
        try {
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** @return {@code n} random bytes as hex, from a {@link SecureRandom} */
    public static String randomHex(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
