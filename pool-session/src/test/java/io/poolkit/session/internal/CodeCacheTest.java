package io.poolkit.session.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's code, copied out into a content-addressed, read-only directory. */
class CodeCacheTest {
    @TempDir
    Path root;

    @Test
    void extractsEveryWorkerClassAndNothingElse() throws IOException {
        Path code = CodeCache.extract(root);
        assertThat(code.getFileName().toString()).matches("code-[0-9a-f]{16}");
        List<String> files;
        try (Stream<Path> s = Files.walk(code)) {
            files = s.filter(Files::isRegularFile).map(p -> code.relativize(p).toString()).sorted().toList();
        }
        assertThat(files).contains("io/poolkit/session/internal/worker/WorkerMain.class", "io/poolkit/session/internal/wire/Frame.class",
                "io/poolkit/session/snippet/Tools.class", "io/poolkit/session/snippet/ToolException.class");
        assertThat(files).allMatch(f -> f.startsWith("io/poolkit/session/internal/worker/") || f.startsWith("io/poolkit/session/internal/wire/")
                || f.startsWith("io/poolkit/session/snippet/") || f.equals("module-info.class"));
        assertThat(Files.getPosixFilePermissions(code.resolve(files.get(0)))).isEqualTo(PosixFilePermissions.fromString("r--r--r--"));
        assertThat(CodeCache.extract(root)).as("the same content, the same directory").isEqualTo(code);
    }

    /** The worker runs as a named module that exports the snippet API only and opens nothing (issue 13). */
    @Test
    void theCopyIsANamedModuleExportingOnlyTheSnippetApi() throws IOException {
        Path code = CodeCache.extract(root);
        java.lang.module.ModuleDescriptor d;
        try (var in = Files.newInputStream(code.resolve("module-info.class"))) {
            d = java.lang.module.ModuleDescriptor.read(in);
        }
        assertThat(d.name()).isEqualTo("io.poolkit.session.worker");
        assertThat(d.isOpen()).isFalse();
        assertThat(d.opens()).isEmpty();
        assertThat(d.exports()).extracting(e -> e.source() + (e.isQualified() ? " to " + e.targets() : ""))
                .containsExactly("io.poolkit.session.snippet");
        assertThat(d.packages()).containsExactlyInAnyOrder("io.poolkit.session.snippet", "io.poolkit.session.internal.worker",
                "io.poolkit.session.internal.wire");
        assertThat(d.requires()).extracting(java.lang.module.ModuleDescriptor.Requires::name).containsExactlyInAnyOrder("java.base", "jdk.jshell");
        java.lang.module.ModuleFinder finder = java.lang.module.ModuleFinder.of(code);
        assertThat(finder.find("io.poolkit.session.worker")).as("the directory is an exploded module").isPresent();
    }

    @Test
    void tamperedCopyIsReplaced() throws IOException {
        Path code = CodeCache.extract(root);
        Path main = code.resolve("io/poolkit/session/internal/worker/WorkerMain.class");
        Files.setPosixFilePermissions(main, PosixFilePermissions.fromString("rw-r--r--"));
        Files.write(main, new byte[] {1, 2, 3});
        Path again = CodeCache.extract(root);
        assertThat(again).isEqualTo(code);
        assertThat(Files.size(again.resolve("io/poolkit/session/internal/worker/WorkerMain.class"))).isGreaterThan(3);
    }
}
