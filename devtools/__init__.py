"""Build and development tools: the pinned tool chain, the images, and the generated docs.

go-module-build, aws-provider-mirror and apt-ensure install the tools `make` needs;
build-images builds the release images; plan_file, resource_graph, screenshots and demo write
plan.txt, docs/graphs, docs/img and docs/demo.md.
"""
