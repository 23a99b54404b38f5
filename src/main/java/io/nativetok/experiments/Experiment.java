package io.nativetok.experiments;

/**
 * One of the paper's experiments as a recipe: it trains what it needs through an {@link
 * ExperimentContext}, which makes every stage resumable, and records tables, charts and notes.
 */
public interface Experiment {

    /** Returns the name used on the command line, e.g. {@code positions}. */
    String name();

    /** Returns a one-line description for help texts. */
    String description();

    /** Runs the recipe; stages finished in an earlier run are loaded instead of repeated. */
    void run(ExperimentContext context);
}
