package io.poolkit.session.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleReader;
import java.lang.module.ResolvedModule;
import java.net.URISyntaxException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * The worker's code, copied out of this module into a content-addressed directory
 * ({@code <root>/code-<sha-256 prefix>}) that the sandbox binds read-only: a fat jar or a jlink
 * image has no separate file to bind. The directory is an exploded module, {@link #MODULE}, with
 * the descriptor {@link WorkerModule} writes: the worker JVM runs it from the module path, so its
 * own classes are closed to snippet code. The copy is written under a temporary name and moved into
 * place atomically, so concurrent hosts never see half a copy; an existing copy is verified against
 * its hash before it is used.
 */
public final class CodeCache {
    /** The packages the worker JVM runs: its main loop, the wire protocol, and the snippet-side API. */
    static final List<String> PACKAGES = List.of(
            "io/poolkit/session/internal/worker/",
            "io/poolkit/session/internal/wire/",
            "io/poolkit/session/snippet/");

    /** The class that starts the worker JVM. */
    public static final String MAIN = "io.poolkit.session.internal.worker.WorkerMain";

    /** The worker's module, launched from the module path ({@code -m MODULE/MAIN}). */
    public static final String MODULE = WorkerModule.NAME;

    /** The worker module's descriptor, written beside the packages (an exploded module). */
    static final String DESCRIPTOR = "module-info.class";

    private static final Map<Path, Path> READY = new ConcurrentHashMap<>();
    private static volatile Map<String, byte[]> classes;

    private CodeCache() {
    }

    /** @return the verified code directory under {@code root}, extracted on first use */
    public static Path ensure(Path root) throws IOException {
        try {
            return READY.computeIfAbsent(root, r -> {
                try {
                    return extract(r);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    static Path extract(Path root) throws IOException {
        Map<String, byte[]> files = classes();
        String hash = hash(files);
        Path dir = root.resolve("code-" + hash.substring(0, 16));
        if (Files.isDirectory(dir)) {
            if (hash.equals(hash(read(dir)))) {
                readableByAll(dir);
                return dir;
            }
            deleteTree(dir); // a partial or tampered copy: replace it
        }
        Path tmp = root.resolve("code-" + hash.substring(0, 16) + ".tmp-" + WorkDirs.randomHex(6));
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            Path f = tmp.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.write(f, e.getValue());
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("r--r--r--"));
        }
        readableByAll(tmp);
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
            deleteTree(tmp);
            if (!hash.equals(hash(read(dir)))) {
                throw new IOException("worker code at " + dir + " does not match its hash; remove it", raced);
            }
        }
        return dir;
    }

    /** @return every class file of the worker packages, by path relative to the class path root */
    static Map<String, byte[]> classes() throws IOException {
        Map<String, byte[]> c = classes;
        if (c == null) {
            c = CodeCache.class.getModule().isNamed() ? fromModule() : fromCodeSource();
            if (!c.containsKey(MAIN.replace('.', '/') + ".class")) {
                throw new IOException("the worker classes were not found next to " + CodeCache.class + " (found " + c.keySet() + ")");
            }
            List<String> packages = PACKAGES.stream().map(p -> p.substring(0, p.length() - 1).replace('/', '.')).toList();
            c.put(DESCRIPTOR, WorkerModule.descriptor(packages));
            classes = c;
        }
        return c;
    }

    private static boolean wanted(String path) {
        return path.endsWith(".class") && PACKAGES.stream().anyMatch(p -> path.startsWith(p) && path.indexOf('/', p.length()) < 0);
    }

    private static Map<String, byte[]> fromModule() throws IOException {
        String name = CodeCache.class.getModule().getName();
        ResolvedModule m = CodeCache.class.getModule().getLayer().configuration().findModule(name)
                .orElseThrow(() -> new IOException("module " + name + " is not in its layer's configuration"));
        Map<String, byte[]> out = new TreeMap<>();
        try (ModuleReader reader = m.reference().open()) {
            List<String> names;
            try (Stream<String> all = reader.list()) {
                names = all.filter(CodeCache::wanted).toList();
            }
            for (String n : names) {
                try (InputStream in = reader.open(n).orElseThrow(() -> new IOException("cannot open " + n))) {
                    out.put(n, in.readAllBytes());
                }
            }
        }
        return out;
    }

    private static Map<String, byte[]> fromCodeSource() throws IOException {
        Path location;
        try {
            location = Path.of(CodeCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | NullPointerException | IllegalArgumentException e) {
            throw new IOException("cannot locate the classes of " + CodeCache.class, e);
        }
        Map<String, byte[]> out = new TreeMap<>();
        if (Files.isDirectory(location)) {
            out.putAll(read(location));
            out.keySet().removeIf(k -> !wanted(k));
        } else {
            try (JarFile jar = new JarFile(location.toFile())) {
                for (var e : jar.stream().filter(e -> wanted(e.getName())).toList()) {
                    try (InputStream in = jar.getInputStream(e)) {
                        out.put(e.getName(), in.readAllBytes());
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, byte[]> read(Path dir) throws IOException {
        Map<String, byte[]> out = new TreeMap<>();
        Path descriptor = dir.resolve(DESCRIPTOR);
        if (Files.isRegularFile(descriptor)) {
            out.put(DESCRIPTOR, Files.readAllBytes(descriptor));
        }
        List<Path> files = new ArrayList<>();
        for (String p : PACKAGES) {
            Path pkg = dir.resolve(p);
            if (Files.isDirectory(pkg)) {
                try (Stream<Path> s = Files.list(pkg)) {
                    s.filter(Files::isRegularFile).forEach(files::add);
                }
            }
        }
        for (Path f : files) {
            String rel = dir.relativize(f).toString().replace('\\', '/');
            if (wanted(rel)) {
                out.put(rel, Files.readAllBytes(f));
            }
        }
        return out;
    }

    /**
     * Makes the copy's directories readable by anyone (files are read-only for all already): the
     * sandbox of a root host runs as another user, and the private root above keeps everyone else out.
     */
    private static void readableByAll(Path dir) throws IOException {
        List<Path> dirs;
        try (Stream<Path> s = Files.walk(dir)) {
            dirs = s.filter(Files::isDirectory).toList();
        }
        for (Path d : dirs) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    private static String hash(Map<String, byte[]> files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> e : new TreeMap<>(files).entrySet()) {
                md.update(e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update((byte) 0);
                md.update(java.nio.ByteBuffer.allocate(8).putLong(e.getValue().length).array());
                md.update(e.getValue());
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.sorted(java.util.Comparator.reverseOrder()).toList();
        }
        for (Path p : all) {
            Files.deleteIfExists(p);
        }
    }
}
