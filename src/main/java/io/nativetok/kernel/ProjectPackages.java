package io.nativetok.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Finds the packages of this kit on the class path, so that a notebook session can import them
 * without a list that goes stale as packages are added.
 */
final class ProjectPackages {

    static final String ROOT = "io/nativetok";

    private ProjectPackages() {}

    /**
     * Returns the names of the packages under {@code io.nativetok} that contain at least one class,
     * in directories and jars that {@code loader} can see, except those in {@code excluded}.
     */
    static Set<String> find(ClassLoader loader, Set<String> excluded) {
        Set<String> packages = new TreeSet<>();
        try {
            Enumeration<URL> roots = loader.getResources(ROOT);
            while (roots.hasMoreElements()) {
                URL root = roots.nextElement();
                if ("file".equals(root.getProtocol())) {
                    addFromDirectory(Path.of(root.toURI()), packages);
                } else if ("jar".equals(root.getProtocol())) {
                    addFromJar(root, packages);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Reading the class path for " + ROOT + " failed", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("Class path entry is not a valid URI: " + e.getInput(), e);
        }
        packages.removeAll(excluded);
        return packages;
    }

    private static void addFromDirectory(Path root, Set<String> packages) throws IOException {
        Path classesRoot = root.getParent().getParent();
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(file -> file.toString().endsWith(".class"))
                    .map(file -> classesRoot.relativize(file.getParent()).toString())
                    .forEach(directory -> packages.add(directory.replace(java.io.File.separatorChar, '.')));
        }
    }

    private static void addFromJar(URL root, Set<String> packages) throws IOException {
        JarURLConnection connection = (JarURLConnection) root.openConnection();
        connection.setUseCaches(false);
        try (JarFile jar = connection.getJarFile()) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                if (name.startsWith(ROOT + "/") && name.endsWith(".class")) {
                    packages.add(name.substring(0, name.lastIndexOf('/')).replace('/', '.'));
                }
            }
        }
    }
}
