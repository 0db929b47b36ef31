package dev.tokenbroker.api.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link {@code ](path)} / {@code ](path#anchor)} in the repository's Markdown files
 * resolves: the file or directory exists, and an anchor names a heading of the target file (GitHub's
 * heading slugs). Links inside code blocks and code spans, absolute URLs and {@code mailto:} are not
 * checked. Plain JUnit: no Spring context.
 */
class DocumentationLinksTest {

    private static final Pattern LINK = Pattern.compile("\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");
    private static final Pattern INLINE_LINK = Pattern.compile("!?\\[([^\\]]*)\\]\\([^)]*\\)");

    @Test
    void everyRelativeLinkInTheRepositoryResolves() {
        Path root = repositoryRoot();
        List<Path> documents = markdownFiles(root);
        assertThat(documents).as("Markdown files under %s", root)
                .contains(root.resolve("README.md"), root.resolve("broker-api/README.md"));

        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path document : documents) {
            List<String> links = relativeLinks(read(document));
            checked += links.size();
            for (String link : links) {
                problem(root, document, link).ifPresent(p -> broken.add(root.relativize(document) + ": ](" + link + ") " + p));
            }
        }
        assertThat(checked).as("relative links found").isPositive();
        assertThat(broken).as("broken relative links").isEmpty();
    }

    @Test
    void slugsFollowGitHub() {
        assertThat(slugs("# Token Broker\n## Key-encryption key (KEK)\n### Configuration (`broker.refresh.*`)\n"
                + "## Try it: link a demo account in five minutes\n## The API\n## The API\n## snake_case & Ünïcode 2\n"))
                .containsExactly("token-broker", "key-encryption-key-kek", "configuration-brokerrefresh",
                        "try-it-link-a-demo-account-in-five-minutes", "the-api", "the-api-1", "snake_case--ünïcode-2");
        assertThat(slugs("```\n# not a heading\n```\n## [Linked](x.md) heading ##\n")).containsExactly("linked-heading");
    }

    @Test
    void reportsMissingFilesAndAnchorsButNotCodeOrAbsoluteLinks(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("module"));
        Files.writeString(root.resolve("module/README.md"), "# Module\n## Some part\n<a id=\"custom\"></a>\n");
        Files.writeString(root.resolve("README.md"), """
                # Top
                [ok](module/README.md) [ok](module/README.md#some-part) [ok](module/README.md#custom) [ok](#top)
                [ok](module/) [ok](https://example.com/x.md) [ok](mailto:a@example.com) `[code](missing.md)`
                [missing file](missing.md) [missing anchor](module/README.md#nope) [missing local](#nope)
                ```
                [fenced](also-missing.md)
                ```
                """);

        List<String> problems = new ArrayList<>();
        for (String link : relativeLinks(read(root.resolve("README.md")))) {
            problem(root, root.resolve("README.md"), link).ifPresent(p -> problems.add(link));
        }

        assertThat(problems).containsExactly("missing.md", "module/README.md#nope", "#nope");
    }

    /** Why {@code link} in {@code document} does not resolve, or empty when it does. */
    private static Optional<String> problem(Path root, Path document, String link) {
        int hash = link.indexOf('#');
        String path = URLDecoder.decode(hash < 0 ? link : link.substring(0, hash), StandardCharsets.UTF_8);
        String anchor = hash < 0 ? null : link.substring(hash + 1);
        Path target = path.isEmpty() ? document
                : (path.startsWith("/") ? root.resolve(path.substring(1)) : document.getParent().resolve(path)).normalize();
        if (!target.startsWith(root)) {
            return Optional.of("points outside the repository");
        }
        if (!Files.exists(target)) {
            return Optional.of("-> " + root.relativize(target) + " does not exist");
        }
        if (anchor != null && !anchor.isEmpty()) {
            if (!target.getFileName().toString().endsWith(".md") || Files.isDirectory(target)) {
                return Optional.of("-> an anchor into a file that is not Markdown");
            }
            String text = read(target);
            Set<String> anchors = new LinkedHashSet<>(slugs(text));
            Matcher html = HTML_ANCHOR.matcher(text);
            while (html.find()) {
                anchors.add(html.group(1));
            }
            if (!anchors.contains(URLDecoder.decode(anchor, StandardCharsets.UTF_8))) {
                return Optional.of("-> no heading '#" + anchor + "' in " + root.relativize(target)
                        + "; headings: " + anchors);
            }
        }
        return Optional.empty();
    }

    /** Links outside code blocks and code spans that are neither absolute URLs nor scheme links. */
    static List<String> relativeLinks(String markdown) {
        List<String> links = new ArrayList<>();
        for (String line : proseLines(markdown)) {
            Matcher matcher = LINK.matcher(CODE_SPAN.matcher(line).replaceAll(""));
            while (matcher.find()) {
                String link = matcher.group(1);
                if (!link.isEmpty() && !SCHEME.matcher(link).find() && !link.startsWith("//")) {
                    links.add(link);
                }
            }
        }
        return links;
    }

    /** GitHub's heading anchors: lower case, punctuation dropped (not {@code -} or {@code _}), spaces to {@code -}, duplicates numbered. */
    static List<String> slugs(String markdown) {
        List<String> slugs = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : proseLines(markdown)) {
            Matcher heading = HEADING.matcher(line);
            if (!heading.matches()) {
                continue;
            }
            String text = INLINE_LINK.matcher(heading.group(1)).replaceAll("$1");
            String slug = text.toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "")
                    .replace(' ', '-');
            int count = seen.merge(slug, 1, Integer::sum);
            slugs.add(count == 1 ? slug : slug + "-" + (count - 1));
        }
        return slugs;
    }

    private static List<String> proseLines(String markdown) {
        List<String> lines = new ArrayList<>();
        String fence = null;
        for (String line : markdown.split("\\R", -1)) {
            Matcher opening = FENCE.matcher(line);
            if (fence == null && opening.find()) {
                fence = opening.group(1);
            } else if (fence != null && line.strip().startsWith(fence)) {
                fence = null;
            } else if (fence == null) {
                lines.add(line);
            }
        }
        return lines;
    }

    private static List<Path> markdownFiles(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".md") && Files.isRegularFile(file))
                    .filter(file -> {
                        for (Path part : root.relativize(file)) {
                            String name = part.toString();
                            if (name.equals("target") || name.equals(".git") || name.equals("node_modules")) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory holding {@code mvnw} and the modules, searched upwards from the working directory (a module). */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("broker-api"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root (with mvnw and broker-api/) above " + Path.of("").toAbsolutePath());
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
