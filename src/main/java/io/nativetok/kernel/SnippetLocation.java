package io.nativetok.kernel;

/**
 * Place of a JShell snippet in the notebook: the label of its cell, such as {@code "cell [3]"},
 * and the 1-based line of that cell where the snippet starts.
 */
record SnippetLocation(String cellLabel, int firstLine) {}
