package io.poolkit.spring.boot;

import io.poolkit.Pool;
import io.poolkit.jdbc.PooledDataSource;
import io.poolkit.jdbc.PooledDataSourceConfig;
import java.time.Duration;
import java.util.Set;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.MethodParameter;
import org.springframework.core.convert.TypeDescriptor;
import org.springframework.core.convert.converter.ConditionalGenericConverter;

/**
 * Reads {@code spring.datasource.poolkit.*} durations as {@code new PooledDataSource(Properties)}
 * does, for the setters of a {@link PooledDataSource} only: Boot's forms ({@code 5s}, {@code PT5S},
 * a bare number in milliseconds) plus {@code forever} (any case) for {@link Pool#FOREVER};
 * {@code initialization-fail-timeout=-1} is {@code forever} too, as HikariCP spells it; and
 * {@code login-timeout} takes the same forms in whole seconds, a bare number staying seconds.
 * Every other property of the application is left to Boot. Thread-safe (stateless).
 */
final class PoolkitDurationConverter implements ConditionalGenericConverter {

    @Override
    public Set<ConvertiblePair> getConvertibleTypes() {
        return Set.of(new ConvertiblePair(String.class, Duration.class), new ConvertiblePair(Number.class, Duration.class),
                new ConvertiblePair(String.class, Integer.class));
    }

    @Override
    public boolean matches(TypeDescriptor sourceType, TypeDescriptor targetType) {
        String setter = setter(targetType);
        if (setter == null) {
            return false;
        }
        return targetType.getObjectType() == Duration.class || setter.equals("setLoginTimeout");
    }

    /** @return the name of the data source's setter the value is for, or null when it is for anything else */
    private static String setter(TypeDescriptor targetType) {
        // Boot binds a JavaBean property with the setter's parameter as the target type's source
        if (targetType.getResolvableType().getSource() instanceof MethodParameter p && p.getParameterIndex() == 0
                && PooledDataSourceConfig.class.isAssignableFrom(p.getDeclaringClass()) && p.getMethod() != null) {
            return p.getMethod().getName();
        }
        return null;
    }

    @Override
    public Object convert(Object source, TypeDescriptor sourceType, TypeDescriptor targetType) {
        if (source == null) {
            return null;
        }
        String setter = setter(targetType);
        String text = source.toString().trim();
        if ("setInitializationFailTimeout".equals(setter) && text.equals("-1")) {
            return Pool.FOREVER;
        }
        if ("setLoginTimeout".equals(setter)) {
            return loginTimeoutSeconds(text);
        }
        if (source instanceof Number n) {
            return Duration.ofMillis(n.longValue());
        }
        if (text.equalsIgnoreCase("forever")) {
            return Pool.FOREVER;
        }
        return DurationStyle.detectAndParse(text);
    }

    private static Integer loginTimeoutSeconds(String text) {
        Duration d;
        try {
            d = text.matches("-?\\d+") ? Duration.ofSeconds(Long.parseLong(text)) : DurationStyle.detectAndParse(text);
        } catch (RuntimeException e) {
            // no cause: Boot's start-up report shows the root cause, which would be the parser's "not a valid duration"
            throw new IllegalArgumentException("login-timeout must be whole seconds such as 30, 30s or PT30S, but was \"" + text + "\"");
        }
        if (d.getNano() != 0 || d.getSeconds() > Integer.MAX_VALUE || d.getSeconds() < Integer.MIN_VALUE) {
            throw new IllegalArgumentException("login-timeout must be whole seconds such as 30, 30s or PT30S, but was \"" + text + "\"");
        }
        return (int) d.getSeconds();
    }
}
