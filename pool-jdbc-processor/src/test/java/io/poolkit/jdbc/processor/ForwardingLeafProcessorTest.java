package io.poolkit.jdbc.processor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator on small proxies compiled here: what a leaf forwards, and the proxies it refuses
 * (a method that must keep the pool's behaviour left to it is a compile error naming the method).
 * pool-jdbc's EveryJdbcMethodIsForwardedTest checks the real proxies against the whole java.sql API.
 */
class ForwardingLeafProcessorTest {
    private static final String ANNOTATION = """
            package io.poolkit.jdbc.internal;
            @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.SOURCE)
            @interface ForwardingLeaf { String value(); }
            """;

    @TempDir
    Path out;

    /** A proxy with the two conventions: the delegate field and check(..). */
    private static String proxy(String header, String body) {
        return "package io.poolkit.jdbc.internal;\n" + header + " {\n" + body + """
                    final <E extends java.sql.SQLException> E check(E e) {
                        return e;
                    }
                }
                """;
    }

    @Test
    void leafForwardsEveryMethodTheProxyLeavesAbstractThroughTheCheckAndKeepsTheHandWrittenOnes() throws IOException {
        String savepoint = proxy("@ForwardingLeaf(\"ForwardingSavepoint\") abstract class SavepointProxy implements java.sql.Savepoint", """
                    final java.sql.Savepoint delegate;
                    SavepointProxy(java.sql.Savepoint delegate) {
                        this.delegate = delegate;
                    }
                    @Override
                    public String getSavepointName() {
                        return "hand-written";
                    }
                """);

        List<String> errors = compile(savepoint);

        assertThat(errors).isEmpty();
        String leaf = Files.readString(out.resolve("io/poolkit/jdbc/internal/ForwardingSavepoint.java"));
        assertThat(leaf).contains("final class ForwardingSavepoint extends io.poolkit.jdbc.internal.SavepointProxy")
                .contains("ForwardingSavepoint(java.sql.Savepoint p0) {\n        super(p0);")
                .contains("public int getSavepointId() throws java.sql.SQLException {\n        try {\n"
                        + "            return delegate.getSavepointId();\n        } catch (java.sql.SQLException e) {\n"
                        + "            throw check(e);")
                .doesNotContain("getSavepointName");
        assertThat(out.resolve("io/poolkit/jdbc/internal/ForwardingSavepoint.class")).exists();
    }

    @Test
    void aGenericProxyGetsItsBoundAsTheDelegateTypeAndDefaultsAreForwardedToo() throws IOException {
        String api = """
                package io.poolkit.jdbc.internal;
                interface Counter {
                    int count() throws java.sql.SQLException;
                    default int twice() throws java.sql.SQLException {
                        return 2 * count();
                    }
                }
                """;
        String generic = proxy("@ForwardingLeaf(\"ForwardingCounter\") abstract class CounterProxy<C extends Counter> implements Counter", """
                    final C delegate;
                    CounterProxy(C delegate) {
                        this.delegate = delegate;
                    }
                """);

        assertThat(compile(api, generic)).isEmpty();
        String leaf = Files.readString(out.resolve("io/poolkit/jdbc/internal/ForwardingCounter.java"));
        assertThat(leaf).contains("extends io.poolkit.jdbc.internal.CounterProxy<io.poolkit.jdbc.internal.Counter>")
                .contains("return delegate.count();").contains("return delegate.twice();");
    }

    @Test
    void anExecuteLeftToTheGeneratorIsACompileErrorBecauseItMustMarkTheTransaction() {
        String runner = """
                package io.poolkit.jdbc.internal;
                interface Runner {
                    boolean executeIt(String sql) throws java.sql.SQLException;
                }
                """;
        List<String> errors = compile(runner, proxy("@ForwardingLeaf(\"ForwardingRunner\") abstract class RunnerProxy implements Runner",
                "    final Runner delegate = null;\n"));

        assertThat(errors).singleElement().asString()
                .contains("RunnerProxy leaves Runner.executeIt(String) to the generator").contains("runs SQL");
    }

    @Test
    void aMethodReturningAJdbcObjectLeftToTheGeneratorIsACompileErrorBecauseTheCallerMustGetAProxy() {
        String source = """
                package io.poolkit.jdbc.internal;
                interface Source {
                    java.sql.PreparedStatement statement() throws java.sql.SQLException;
                }
                """;
        List<String> errors = compile(source, proxy("@ForwardingLeaf(\"ForwardingSource\") abstract class SourceProxy implements Source",
                "    final Source delegate = null;\n"));

        assertThat(errors).singleElement().asString()
                .contains("SourceProxy leaves Source.statement() to the generator").contains("java.sql.Statement");
    }

    @Test
    void unwrapLeftToTheGeneratorIsACompileErrorBecauseItExposesTheDriversObject() {
        List<String> errors = compile(proxy("@ForwardingLeaf(\"ForwardingWrapper\") abstract class WrapperProxy implements java.sql.Wrapper", """
                    final java.sql.Wrapper delegate = null;
                    @Override
                    public boolean isWrapperFor(Class<?> iface) {
                        return false;
                    }
                """));

        assertThat(errors).singleElement().asString().contains("Wrapper.unwrap(Class<T>)").contains("hands out the driver's object");
    }

    @Test
    void aProxyWithoutTheConventionsIsACompileErrorNamingWhatIsMissing() {
        String noDelegate = """
                package io.poolkit.jdbc.internal;
                @ForwardingLeaf("ForwardingSavepoint")
                abstract class SavepointProxy implements java.sql.Savepoint {
                }
                """;
        assertThat(compile(noDelegate)).singleElement().asString().contains("needs a non-private field named delegate");

        String notAbstract = """
                package io.poolkit.jdbc.internal;
                @ForwardingLeaf("Leaf")
                class Plain {
                }
                """;
        assertThat(compile(notAbstract)).singleElement().asString().contains("goes on an abstract top-level class");
    }

    /** Compiles the sources (and the annotation) with the processor into {@link #out}; returns the errors. */
    private List<String> compile(String... sources) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<JavaFileObject> units = new ArrayList<>();
        units.add(source(ANNOTATION));
        for (String s : sources) {
            units.add(source(s));
        }
        JavaCompiler.CompilationTask task = javac.getTask(null, null, diagnostics,
                List.of("-d", out.toString(), "-s", out.toString(), "-Xlint:all", "-Werror"), null, units);
        task.setProcessors(List.of(new ForwardingLeafProcessor()));
        task.call();
        return diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR || d.getKind() == Diagnostic.Kind.WARNING)
                .map(d -> d.getMessage(Locale.ROOT))
                .collect(Collectors.toList());
    }

    private static JavaFileObject source(String code) {
        String name = code.replaceAll("(?s).*?(?:class|interface|@interface) (\\w+).*", "$1");
        return new SimpleJavaFileObject(URI.create("string:///io/poolkit/jdbc/internal/" + name + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        };
    }
}
