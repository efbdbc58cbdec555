"""Build and development tools: the pinned tool chain, the images, and the generated docs.

go-module-build, aws-provider-mirror and apt-ensure install the tools `make` needs;
provider-lock-files writes the live units' lock files; provider_upgrade_check lists what a
move to another major of the AWS provider would break;
build-images builds the release images; plan_file, resource_graph, screenshots,
deployment_picture, demo and tour (recorded and rendered by recording) write plan.txt,
docs/graphs, docs/img, docs/demo.md and docs/demo.cast.
"""
