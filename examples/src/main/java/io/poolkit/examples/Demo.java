package io.poolkit.examples;

/** The README's demo: runs the examples that exist so far. */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) throws Exception {
        CustomFactoryExample.main(args);
    }
}
