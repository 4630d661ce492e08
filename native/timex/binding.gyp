{
  "targets": [
    {
      "target_name": "timex",
      "sources": ["timex.c"],
      "cflags": ["-O2", "-Wall", "-Wextra"]
    }
  ]
}
