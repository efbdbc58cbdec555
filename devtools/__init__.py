"""Build and development tools: the pinned tool chain, the images, and the generated docs.

go-module-build, aws-provider-mirror and apt-ensure install the tools `make` needs;
build-images builds the release images; plan_file, resource_graph, screenshots,
deployment_picture, demo and tour (recorded and rendered by recording) write plan.txt,
docs/graphs, docs/img, docs/demo.md and docs/demo.cast.
"""
