package io.poolkit.hibernate.internal;

import io.poolkit.hibernate.PoolkitConnectionProvider;
import java.util.List;
import org.hibernate.boot.registry.selector.SimpleStrategyRegistrationImpl;
import org.hibernate.boot.registry.selector.StrategyRegistration;
import org.hibernate.boot.registry.selector.StrategyRegistrationProvider;
import org.hibernate.engine.jdbc.connections.spi.ConnectionProvider;

/** Registers {@link PoolkitConnectionProvider} under the short name {@code poolkit}; found by Hibernate through {@code ServiceLoader}. */
public final class PoolkitStrategyRegistrationProvider implements StrategyRegistrationProvider {

    @Override
    public Iterable<StrategyRegistration<?>> getStrategyRegistrations() {
        return List.of(new SimpleStrategyRegistrationImpl<>(ConnectionProvider.class, PoolkitConnectionProvider.class, "poolkit",
                PoolkitConnectionProvider.class.getSimpleName()));
    }
}
