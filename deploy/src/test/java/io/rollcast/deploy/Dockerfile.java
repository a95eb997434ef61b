package io.rollcast.deploy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read the way the builder reads it, enough for checks: instructions (continuations
 * joined, comments dropped), stages, and ARG defaults substituted into FROM lines.
 */
record Dockerfile(List<Instruction> instructions, Map<String, String> globalArgs) {

    record Instruction(String keyword, String args, int stage) {}

    /** A build stage: its resolved base image, its name (AS ...), and its instructions. */
    record Stage(String image, String name, List<Instruction> instructions) {
        List<String> args(String keyword) {
            return instructions.stream()
                    .filter(i -> i.keyword().equals(keyword))
                    .map(Instruction::args)
                    .toList();
        }
    }

    static Dockerfile parse(String text) {
        List<String> logical = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (String line : text.split("\n", -1)) {
            String trimmed = line.strip();
            if (cur.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) continue;
            if (!cur.isEmpty() && trimmed.startsWith("#")) continue; // comment inside a continued instruction
            if (trimmed.endsWith("\\")) {
                cur.append(trimmed, 0, trimmed.length() - 1).append(' ');
            } else {
                cur.append(trimmed);
                if (!cur.toString().isBlank()) logical.add(cur.toString().strip());
                cur.setLength(0);
            }
        }
        List<Instruction> out = new ArrayList<>();
        Map<String, String> globalArgs = new LinkedHashMap<>();
        int stage = -1;
        for (String l : logical) {
            String[] kv = l.split("\\s+", 2);
            String keyword = kv[0].toUpperCase();
            String args = kv.length > 1 ? kv[1] : "";
            if (keyword.equals("FROM")) stage++;
            if (keyword.equals("ARG") && stage < 0) {
                String[] a = args.split("=", 2);
                globalArgs.put(a[0].strip(), a.length > 1 ? a[1].strip() : "");
            }
            out.add(new Instruction(keyword, args, stage));
        }
        return new Dockerfile(out, globalArgs);
    }

    private static final Pattern VAR = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)}?");

    /** Substitutes global ARG defaults, which may themselves name earlier ARGs (ARG A=x-${B}). */
    String resolve(String s) {
        String cur = s;
        for (int round = 0; round < 10 && VAR.matcher(cur).find(); round++) {
            Matcher m = VAR.matcher(cur);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String v = globalArgs.get(m.group(1));
                if (v == null)
                    throw new IllegalStateException(
                            "FROM uses ${" + m.group(1) + "} without a global ARG default: " + s);
                m.appendReplacement(sb, Matcher.quoteReplacement(v));
            }
            m.appendTail(sb);
            cur = sb.toString();
        }
        return cur;
    }

    List<Stage> stages() {
        List<Stage> stages = new ArrayList<>();
        for (Instruction i : instructions) {
            if (i.keyword().equals("FROM")) {
                String[] parts = i.args().replaceAll("--platform=\\S+\\s+", "").split("\\s+");
                String name = parts.length >= 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : null;
                stages.add(new Stage(resolve(parts[0]), name, new ArrayList<>()));
            } else if (i.stage() >= 0) {
                stages.get(i.stage()).instructions().add(i);
            }
        }
        return stages;
    }

    /** The stage the image is made of: the last one. */
    Stage runtime() {
        List<Stage> s = stages();
        return s.get(s.size() - 1);
    }
}
