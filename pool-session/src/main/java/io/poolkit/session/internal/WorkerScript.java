package io.poolkit.session.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A worker program shipped as a resource of this module (the Python and the R worker) and installed
 * on first use into a read-only directory of the code cache, named by its hash: {@code <prefix><16
 * hex digits of SHA-256>/<name>}. A copy that is partial or does not match its hash (another
 * process's, or tampered with) is replaced; a copy another process installed at the same moment is
 * kept once its hash is checked.
 */
final class WorkerScript {
    private final Class<?> owner;
    private final String name;
    private final String prefix;
    private final String what;
    /** Roots whose copy this process has installed or checked: the directory holding the script. */
    private final Map<Path, Path> ready = new ConcurrentHashMap<>();
    private volatile byte[] bytes;

    /**
     * @param owner the class next to whose package the resource {@code name} is
     * @param prefix the start of the install directory's name, e.g. {@code "py-"}
     * @param what the worker, as errors name it, e.g. "Python worker"
     */
    WorkerScript(Class<?> owner, String name, String prefix, String what) {
        this.owner = owner;
        this.name = name;
        this.prefix = prefix;
        this.what = what;
    }

    /** @return the verified directory under {@code root} holding the script, written on first use */
    Path install(Path root) throws IOException {
        Path known = ready.get(root);
        if (known != null && Files.isRegularFile(known.resolve(name))) {
            return known;
        }
        byte[] content = content();
        String hash = sha256(content);
        Path dir = root.resolve(prefix + hash.substring(0, 16));
        if (!Files.isRegularFile(dir.resolve(name)) || !hash.equals(sha256(Files.readAllBytes(dir.resolve(name))))) {
            Path tmp = root.resolve(dir.getFileName() + ".tmp-" + WorkDirs.randomHex(6));
            Files.createDirectory(tmp);
            Files.write(tmp.resolve(name), content);
            Files.setPosixFilePermissions(tmp.resolve(name), PosixFilePermissions.fromString("r--r--r--"));
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r-xr-xr-x"));
            if (Files.exists(dir)) { // a partial or tampered copy: replaced
                remove(dir);
            }
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                remove(tmp);
                if (!hash.equals(sha256(Files.readAllBytes(dir.resolve(name))))) {
                    throw new IOException("the " + what + " at " + dir + " does not match its hash; remove it", raced);
                }
            }
        }
        ready.put(root, dir);
        return dir;
    }

    private void remove(Path dir) throws IOException {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        Files.deleteIfExists(dir.resolve(name));
        Files.deleteIfExists(dir);
    }

    private byte[] content() throws IOException {
        byte[] b = bytes;
        if (b == null) {
            try (InputStream in = owner.getResourceAsStream(name)) {
                if (in == null) {
                    throw new IOException("the " + what + " " + name + " is missing from the resources next to " + owner);
                }
                b = in.readAllBytes();
            }
            bytes = b;
        }
        return b;
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
