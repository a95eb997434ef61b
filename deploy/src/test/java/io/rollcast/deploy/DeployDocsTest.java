package io.rollcast.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Docs that lie are bugs: docs/deploy.md lists every operator uid, because savepoint upgrades depend on them. */
class DeployDocsTest {

    @Test
    void deployGuideListsEveryOperatorUid() {
        String doc = Repo.read("docs/deploy.md");
        assertThat(Repo.operatorUids())
                .as("uids set in jobs/operators/sinks main code")
                .isNotEmpty()
                .allSatisfy(uid -> assertThat(doc)
                        .as(
                                "docs/deploy.md must list the uid '%s' (the savepoint contract of upgradeMode: savepoint)",
                                uid)
                        .contains("`" + uid + "`"));
    }
}
