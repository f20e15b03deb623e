package io.poolkit.session.internal.worker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TimeZone;
import java.util.stream.Stream;

/**
 * The JVM-wide settings a snippet can change and a reset puts back: system properties, the default
 * locale and time zone, and (in the sandbox, where /tmp is the worker's own) the files in /tmp. A
 * reset is not a boundary between hostile tenants (static state of the JDK's classes lives on):
 * that takes a new worker.
 */
final class JvmState {
    private final Properties properties;
    private final Locale locale;
    private final TimeZone timeZone;
    private final boolean sandboxed = Boolean.getBoolean("poolkit.session.sandboxed");

    JvmState() {
        properties = new Properties();
        properties.putAll(System.getProperties());
        locale = Locale.getDefault();
        timeZone = TimeZone.getDefault();
    }

    void restore() {
        Properties p = new Properties();
        p.putAll(properties);
        System.setProperties(p);
        Locale.setDefault(locale);
        TimeZone.setDefault(timeZone);
        if (sandboxed) {
            wipe(Path.of("/tmp"));
        }
    }

    private static void wipe(Path tmp) {
        List<Path> all;
        try (Stream<Path> s = Files.walk(tmp)) {
            all = s.filter(p -> !p.equals(tmp)).sorted(Comparator.reverseOrder()).toList();
        } catch (IOException | RuntimeException e) {
            return;
        }
        for (Path p : all) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException | RuntimeException ignored) {
                // best effort: a file a leftover thread holds open is still unlinked
            }
        }
    }
}
