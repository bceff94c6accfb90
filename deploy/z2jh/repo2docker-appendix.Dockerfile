# Appended by repo2docker to the user image of this repository (deploy/README.md,
# "The user image"): requirements.txt + runtime.txt give the book's environment (the Binder
# one); this adds what the classroom needs on top, with the versions of
# deploy/requirements-hub.txt.
RUN ${NB_PYTHON_PREFIX}/bin/pip install --no-cache-dir \
      jupyterlab==4.6.6 \
      nbgitpuller==1.3.0
