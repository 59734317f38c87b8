// A table as the reports print it: HTML (escaped) and Markdown from one list of rows.
#pragma once

#include <string>
#include <vector>

#include "report/svg_plot.h"

namespace rapidnn::report {

struct Table {
  std::vector<std::string> head;
  std::vector<std::vector<std::string>> rows;
  std::string html() const {
    std::string s = "<table><tr>";
    for (const auto& h : head) s += "<th>" + escape_xml(h) + "</th>";
    s += "</tr>\n";
    for (const auto& r : rows) {
      s += "<tr>";
      for (const auto& c : r) s += "<td>" + escape_xml(c) + "</td>";
      s += "</tr>\n";
    }
    return s + "</table>\n";
  }
  std::string md() const {
    std::string s = "|";
    for (const auto& h : head) s += " " + h + " |";
    s += "\n|";
    for (std::size_t i = 0; i < head.size(); ++i) s += i ? "---:|" : "---|";
    s += "\n";
    for (const auto& r : rows) {
      s += "|";
      for (const auto& c : r) s += " " + c + " |";
      s += "\n";
    }
    return s + "\n";
  }
};

}  // namespace rapidnn::report
