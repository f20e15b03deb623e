package io.poolkit.session.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * The private directories of the host: a per-user root (mode 0700, owned by this user, not a
 * symlink), and in it one directory per worker for its socket. Another local user can neither see
 * the socket nor swap the worker code.
 */
public final class WorkDirs {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    /** For a root host whose sandboxes run as another user: others may pass through, never list. */
    private static final Set<PosixFilePermission> TRAVERSABLE = PosixFilePermissions.fromString("rwx--x--x");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** sun_path holds 108 bytes with its terminating NUL; "/s-xxxxxxxxxxxx/ipc/w.sock" takes 26. */
    private static final int MAX_ROOT_LENGTH = 107 - 26;

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
        return ensurePrivate(dir, false);
    }

    /**
     * {@link #ensurePrivate(Path)}, or, when {@code traversable}, mode 0711: on a root host the
     * sandbox runs as another user, and bubblewrap must pass through to bind the worker code and
     * the socket directory (whose own modes keep everyone else out). A directory already at 0711
     * stays so when {@code traversable} is false.
     */
    public static Path ensurePrivate(Path dir, boolean traversable) throws IOException {
        Set<PosixFilePermission> mode = traversable ? TRAVERSABLE : OWNER_ONLY;
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
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(d, LinkOption.NOFOLLOW_LINKS);
        // Widened, never narrowed: an unsandboxed session that set 0700 on a root that sandboxed sessions
        // (of this process or another) pass through as another user made their bubblewrap fail to bind
        // its code with "Permission denied", at random, whenever the two started together.
        if (!now.equals(mode) && !now.equals(TRAVERSABLE)) {
            Files.setPosixFilePermissions(d, mode);
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

    /**
     * @return a new owner-only directory in {@code root} for one worker: {@code ipc/} (its socket, the
     *     only part the sandbox sees) and {@code launch/} (the sandbox's argument and filter files)
     */
    public static Path newSessionDir(Path root) throws IOException {
        return newSessionDir(root, false);
    }

    /** {@link #newSessionDir(Path)}; {@code traversable} as in {@link #ensurePrivate(Path, boolean)} for the directory itself. */
    public static Path newSessionDir(Path root, boolean traversable) throws IOException {
        for (int attempt = 0;; attempt++) {
            byte[] id = new byte[6];
            RANDOM.nextBytes(id);
            Path d = root.resolve("s-" + HexFormat.of().formatHex(id));
            try {
                Files.createDirectory(d, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                Files.createDirectory(d.resolve("ipc"), PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                Files.createDirectory(d.resolve("launch"), PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                if (traversable) {
                    Files.setPosixFilePermissions(d, TRAVERSABLE);
                }
                return d;
            } catch (FileAlreadyExistsException e) {
                if (attempt > 10) {
                    throw e;
                }
            }
        }
    }

    /** @return the new owner-only directory {@code name} in a worker's directory, deleted with it */
    static Path newPrivateChild(Path sessionDir, String name) throws IOException {
        return Files.createDirectory(sessionDir.resolve(name), PosixFilePermissions.asFileAttribute(OWNER_ONLY));
    }

    /**
     * Deletes a worker's directory and everything in it, quietly; follows no link out of it. Iterative: an
     * unsandboxed worker (its R temporary directories live here) may nest directories as deep as the path
     * limit allows, deeper than a thread's stack takes one call per level.
     */
    public static void deleteQuietly(Path dir) {
        Deque<Path> pending = new ArrayDeque<>();
        Set<Path> listed = new HashSet<>();
        pending.push(dir);
        while (!pending.isEmpty()) {
            Path d = pending.peek();
            if (listed.add(d)) { // first visit: its files go, its directories are visited before it
                try (var entries = Files.list(d)) {
                    entries.forEach(p -> {
                        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                            pending.push(p);
                        } else {
                            deleteFileQuietly(p);
                        }
                    });
                } catch (IOException | UncheckedIOException ignored) {
                    // gone already, or unreadable: deleted below if it can be
                }
                continue;
            }
            pending.pop();
            deleteFileQuietly(d);
        }
    }

    private static void deleteFileQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
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
