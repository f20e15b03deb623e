package io.poolkit.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * STYLE rule 1, written once for every module: a module exports its API package only, to everyone,
 * and its implementation packages are really there but hidden. Tests run on the class path, so the
 * descriptor is read from the compiled {@code module-info.class} beside a class of the module (its
 * classes directory, or its jar). A module's test is one chain, such as
 * {@code ModuleExports.of(SshPool.class).isNamed("io.poolkit.ssh").exportsExactly("io.poolkit.ssh").hides("io.poolkit.ssh.internal")}.
 *
 * <p>Each check is an AssertJ assertion that says what it found. Not thread-safe (a test's own).
 */
public final class ModuleExports {
    private final Path classes;
    private final ModuleDescriptor descriptor;
    private final Set<String> packagesCompiled;

    private ModuleExports(Path classes, ModuleDescriptor descriptor, Set<String> packagesCompiled) {
        this.classes = classes;
        this.descriptor = descriptor;
        this.packagesCompiled = packagesCompiled;
    }

    /** Reads the module that {@code classOfTheModule} was compiled into. */
    public static ModuleExports of(Class<?> classOfTheModule) {
        Path classes;
        try {
            classes = Path.of(classOfTheModule.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("no code source for " + classOfTheModule, e);
        }
        try {
            if (Files.isDirectory(classes)) {
                return read(classes, classes);
            }
            try (FileSystem jar = FileSystems.newFileSystem(classes)) {
                return read(classes, jar.getPath("/"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the module of " + classOfTheModule + " at " + classes, e);
        }
    }

    private static ModuleExports read(Path classes, Path root) throws IOException {
        Path moduleInfo = root.resolve("module-info.class");
        assertThat(Files.exists(moduleInfo)).as("module-info.class in %s", classes).isTrue();
        ModuleDescriptor d;
        try (InputStream in = Files.newInputStream(moduleInfo)) {
            d = ModuleDescriptor.read(in);
        }
        Set<String> packages;
        try (var files = Files.walk(root)) {
            packages = files.filter(f -> f.getFileName() != null && f.getFileName().toString().endsWith(".class"))
                    .map(f -> root.relativize(f.getParent()).toString().replace('/', '.').replace('\\', '.'))
                    .filter(p -> !p.isEmpty())
                    .collect(Collectors.toSet());
        }
        return new ModuleExports(classes, d, packages);
    }

    /** @return the descriptor, for a check of a module's own */
    public ModuleDescriptor descriptor() {
        return descriptor;
    }

    public ModuleExports isNamed(String name) {
        assertThat(descriptor.name()).as("module name in %s", classes).isEqualTo(name);
        return this;
    }

    /** Exactly these packages are exported, none of them to named modules only. */
    public ModuleExports exportsExactly(String... packages) {
        assertThat(descriptor.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()))
                .as("exported packages of %s", descriptor.name()).containsExactlyInAnyOrder(packages);
        return exportsUnqualified();
    }

    /** No export is qualified ({@code exports p to m}): an API package is for everyone. */
    public ModuleExports exportsUnqualified() {
        assertThat(descriptor.exports()).as("qualified exports of %s", descriptor.name())
                .allSatisfy(e -> assertThat(e.isQualified()).as("qualified export %s", e).isFalse());
        return this;
    }

    /**
     * Each package is compiled into this module (so the check is not vacuous), and it is neither
     * exported nor opened; the module is not an open module.
     */
    public ModuleExports hides(String... packages) {
        assertThat(descriptor.isOpen()).as("%s is an open module", descriptor.name()).isFalse();
        for (String p : packages) {
            assertThat(packagesCompiled).as("packages compiled into %s (%s)", descriptor.name(), classes).contains(p);
            assertThat(descriptor.exports()).as("exports of %s", descriptor.name()).noneMatch(e -> e.source().equals(p));
            assertThat(descriptor.opens()).as("opens of %s", descriptor.name()).noneMatch(o -> o.source().equals(p));
        }
        return this;
    }

    /** The module opens nothing, to nobody (reflection sees only what it exports). */
    public ModuleExports opensNothing() {
        assertThat(descriptor.opens()).as("opened packages of %s", descriptor.name()).isEmpty();
        return this;
    }

    /** The module opens exactly one package, {@code pkg}, to exactly {@code targets}. */
    public ModuleExports opensOnly(String pkg, String... targets) {
        assertThat(descriptor.opens()).as("opened packages of %s", descriptor.name()).singleElement().satisfies(o -> {
            assertThat(o.source()).isEqualTo(pkg);
            assertThat(o.targets()).as("modules %s is opened to", pkg).containsExactlyInAnyOrder(targets);
        });
        return this;
    }

    /** The module reads exactly these modules ({@code java.base} included). */
    public ModuleExports requiresExactly(String... modules) {
        assertThat(required()).as("modules %s requires", descriptor.name()).containsExactlyInAnyOrder(modules);
        return this;
    }

    /** The module reads at least these modules. */
    public ModuleExports requires(String... modules) {
        assertThat(required()).as("modules %s requires", descriptor.name()).contains(modules);
        return this;
    }

    /** The module provides exactly one service, {@code service}, by exactly {@code providers}. */
    public ModuleExports providesOnly(String service, String... providers) {
        assertThat(descriptor.provides()).as("services %s provides", descriptor.name()).singleElement().satisfies(p -> {
            assertThat(p.service()).isEqualTo(service);
            assertThat(p.providers()).as("providers of %s", service).containsExactly(providers);
        });
        return this;
    }

    private Set<String> required() {
        return descriptor.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
    }

    @Override
    public String toString() {
        return descriptor.name() + " " + Arrays.toString(descriptor.exports().toArray()) + " from " + classes;
    }
}
