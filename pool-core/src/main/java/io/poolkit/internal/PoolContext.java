package io.poolkit.internal;

/**
 * What a pool's helpers share, given to each of them instead of the pool: its name and options,
 * hooks, runtime and clock, listeners and counters, circuit breaker, slot table and gate. A helper
 * that needs a sibling (the creator, the destroyer, the dispatcher) is handed that sibling by name;
 * one that must call back into a sibling built after it is handed a one-method callback. So no
 * helper reaches more of the pool than it is given (STYLE 17).
 */
record PoolContext<T>(String name, Config config, Hooks<T> hooks, PoolRuntime runtime, Clock clock,
                      Listeners<T> listeners, Counters counters, CircuitBreaker circuit, SlotTable<T> table, Gate gate) {
}
