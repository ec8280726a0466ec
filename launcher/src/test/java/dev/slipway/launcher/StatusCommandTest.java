package dev.slipway.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class StatusCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void anEnvironmentInSyncSaysSo() throws Exception {
    assertThat(
            StatusCommand.describe(
                JSON.readTree(
                    """
                    {"inSync": true, "revision": 3,
                     "objects": [{"kind": "Deployment", "name": "shop", "status": "InSync",
                                  "differences": []}]}
                    """)))
        .isEqualTo("in sync");
  }

  @Test
  void driftNamesEachObjectAndHowItDiffers() throws Exception {
    assertThat(
            StatusCommand.describe(
                JSON.readTree(
                    """
                    {"inSync": false, "revision": 3,
                     "objects": [
                       {"kind": "Deployment", "name": "shop", "status": "Drifted",
                        "differences": [".spec.replicas: live 1, revision 2"]},
                       {"kind": "ConfigMap", "name": "shop-flags", "status": "InSync",
                        "differences": []},
                       {"kind": "Service", "name": "shop", "status": "Missing",
                        "differences": []}]}
                    """)))
        .isEqualTo(
            "DRIFTED: Deployment shop Drifted (.spec.replicas: live 1, revision 2), Service shop Missing");
  }
}
