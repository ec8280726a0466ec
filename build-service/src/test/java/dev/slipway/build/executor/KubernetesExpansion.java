package dev.slipway.build.executor;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the kubelet does to a container's {@code env[].value}, {@code command} and {@code args}
 * before it starts it: {@code $(NAME)} becomes the value of NAME among the variables defined before
 * it (left as written when there is none), {@code $$} becomes {@code $}. A line-by-line port of
 * Kubernetes' {@code third_party/forked/golang/expansion/expand.go} (Expand and
 * tryReadVariableName), for tests that show what a build pod's step really receives.
 */
final class KubernetesExpansion {

  private KubernetesExpansion() {}

  /** The environment as the container sees it, each value expanded against those before it. */
  static Map<String, String> environment(List<Map.Entry<String, String>> env) {
    Map<String, String> defined = new LinkedHashMap<>();
    for (Map.Entry<String, String> var : env) {
      defined.put(var.getKey(), expand(var.getValue(), defined));
    }
    return defined;
  }

  static String expand(String input, Map<String, String> defined) {
    StringBuilder out = new StringBuilder();
    int checkpoint = 0;
    for (int cursor = 0; cursor < input.length(); cursor++) {
      if (input.charAt(cursor) == '$' && cursor + 1 < input.length()) {
        out.append(input, checkpoint, cursor);
        String rest = input.substring(cursor + 1);
        String read;
        boolean isVar;
        int advance;
        switch (rest.charAt(0)) {
          case '$' -> {
            read = "$";
            isVar = false;
            advance = 1;
          }
          case '(' -> {
            int close = rest.indexOf(')', 1);
            if (close > 0) {
              read = rest.substring(1, close);
              isVar = true;
              advance = close + 1;
            } else {
              read = "$(";
              isVar = false;
              advance = 1;
            }
          }
          default -> {
            read = "$" + rest.charAt(0);
            isVar = false;
            advance = 1;
          }
        }
        if (isVar) {
          out.append(defined.containsKey(read) ? defined.get(read) : "$(" + read + ")");
        } else {
          out.append(read);
        }
        cursor += advance;
        checkpoint = cursor + 1;
      }
    }
    return out.append(input.substring(Math.min(checkpoint, input.length()))).toString();
  }
}
