package dev.slipway.build.container;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One container to run with podman: what it runs, as whom, what it sees, what it may do.
 *
 * @param name unique name, how it is stopped
 * @param image the image id or reference, already in local storage
 * @param command the argv, passed as is (no shell of the service ever reads it)
 * @param user {@code uid:gid} inside the container
 * @param workdir the working directory inside the container
 * @param mounts host folders or files bound into the container; nothing else of the host is seen
 * @param env variables set by the platform (never a secret: those come in a file, see
 *     ContainerExecutor)
 * @param capabilities capabilities kept (every other one is dropped); empty for none
 * @param network the network namespace to join, see {@link BuildNetwork}
 * @param readOnlyRoot whether the image's root filesystem is read-only
 * @param limits memory, processes and open files
 */
public record ContainerSpec(
    String name,
    String image,
    List<String> command,
    String user,
    String workdir,
    List<Mount> mounts,
    Map<String, String> env,
    List<String> capabilities,
    Path network,
    boolean readOnlyRoot,
    Limits limits) {

  public ContainerSpec {
    command = List.copyOf(command);
    mounts = List.copyOf(mounts);
    env = Map.copyOf(env);
    capabilities = List.copyOf(capabilities);
  }

  /**
   * A host path bound into the container.
   *
   * @param source the host path, already resolved to its real path
   * @param target where the container sees it
   * @param readOnly whether the container may only read it
   */
  public record Mount(Path source, String target, boolean readOnly) {}

  /**
   * Resource limits of a container.
   *
   * @param memory e.g. {@code 2g}; empty for none
   * @param pids the most processes and threads at once
   * @param cpus e.g. {@code 2}; empty for none
   */
  public record Limits(String memory, int pids, String cpus) {}
}
