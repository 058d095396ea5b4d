# Prints the end state that both tools must leave: every entry under the app tree with type, mode, owner and
# content hash.
cd /home/app && find . -printf '%y %m %u:%g %p %l\n' | sort
find /home/app -type f -exec sha1sum {} + | sort -k2
