package io.poolkit.session.internal.worker;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.ResponseCache;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Provider;
import java.security.Security;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.TimeZone;
import java.util.stream.Stream;

/**
 * The JVM-wide settings a snippet can change and a reset puts back: system properties, the default
 * locale and time zone, the default uncaught-exception handler, the default {@link Authenticator},
 * {@link ProxySelector}, {@link CookieHandler} and {@link ResponseCache}, and (in the sandbox, where /tmp is the worker's own) the files in /tmp. The URL stream
 * handler and content handler factories, which the JDK lets a program set only once, are taken by
 * the worker at start (pass-throughs to the JDK's own handlers), so no snippet can install one.
 *
 * <p>A reset is not a boundary between hostile tenants: what else is static in the JDK lives on
 * (security properties and providers, {@code Socket.setSocketImplFactory}, {@code HttpsURLConnection}'s
 * defaults, caches of every kind; heap, direct buffers, metaspace, /tmp space or descriptors a snippet
 * held there retire the worker when they are more than {@link RetainedResources} allows); that takes a
 * new worker ({@code maxUsesPerSession(1)}). Nothing
 * here calls an object a snippet could have put in place (a provider's {@code getName()} would run
 * snippet code on the worker's thread), which is why security providers are not put back: a
 * provider a snippet defined retires the session instead ({@link #snippetProvider()}), since the JDK
 * asks every provider in turn for each algorithm a later caller looks up, and an overridden
 * {@code getService} would run in that caller's execution.
 */
final class JvmState {
    private final Properties properties;
    private final Locale locale;
    private final TimeZone timeZone;
    private final Thread.UncaughtExceptionHandler uncaughtHandler;
    private final Authenticator authenticator;
    private final ProxySelector proxySelector;
    private final CookieHandler cookieHandler;
    private final ResponseCache responseCache;
    private final boolean sandboxed = Boolean.getBoolean(WorkerMain.SANDBOXED_PROPERTY);

    JvmState() {
        properties = new Properties();
        properties.putAll(System.getProperties());
        locale = Locale.getDefault();
        timeZone = TimeZone.getDefault();
        uncaughtHandler = Thread.getDefaultUncaughtExceptionHandler();
        authenticator = Authenticator.getDefault();
        proxySelector = ProxySelector.getDefault();
        cookieHandler = CookieHandler.getDefault();
        responseCache = ResponseCache.getDefault();
    }

    /**
     * The first installed security provider whose class the JDK did not load (a snippet's, whatever loader
     * it made), described for the leftover report, or null. Reads only {@code getClass()}, which no
     * provider can override, so no snippet code runs on the worker's thread.
     */
    static String snippetProvider() {
        ClassLoader platform = ClassLoader.getPlatformClassLoader();
        for (Provider p : Security.getProviders()) {
            ClassLoader loader = p.getClass().getClassLoader();
            if (loader != null && loader != platform) {
                return "security provider of class " + p.getClass().getName();
            }
        }
        return null;
    }

    /** Takes the once-per-JVM factories before any snippet can, each deferring to the JDK's own handlers. */
    static void preemptFactories() {
        URL.setURLStreamHandlerFactory(protocol -> null);
        URLConnection.setContentHandlerFactory(mimeType -> null);
    }

    void restore() {
        Properties p = new Properties();
        p.putAll(properties);
        System.setProperties(p);
        Locale.setDefault(locale);
        TimeZone.setDefault(timeZone);
        Thread.setDefaultUncaughtExceptionHandler(uncaughtHandler);
        Authenticator.setDefault(authenticator);
        ProxySelector.setDefault(proxySelector);
        CookieHandler.setDefault(cookieHandler);
        ResponseCache.setDefault(responseCache);
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
